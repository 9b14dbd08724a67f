#include "services/api_gateway/instance_routes.h"

#include <algorithm>
#include <boost/json.hpp>

namespace mr::services::gateway {
namespace json = boost::json;
namespace {

bool ParseRoute(const std::string& body, InstanceRoute* out) {
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec || !v.is_object()) {
    return false;
  }
  const json::object& o = v.as_object();
  auto text = [&](std::string_view key) -> std::string {
    const json::value* f = o.if_contains(key);
    return f && f->is_string() ? std::string(f->as_string()) : std::string();
  };
  out->node_manager_url = text("node_manager_url");
  out->status = text("status");
  out->rest_token_sha256 = text("rest_token_sha256");
  std::string owner = text("owner_id");
  try {
    out->owner_id = std::stoll(owner);
  } catch (const std::exception&) {
    return false;
  }
  return !out->node_manager_url.empty();
}

}  // namespace

InstanceRoutes::Lookup InstanceRoutes::Find(const std::string& id, InstanceRoute* out) {
  // Instance ids are short runs of a-z, 0-9 and '-': anything else is not one, and must not
  // reach the backend's URL.
  if (id.empty() || id.size() > 64 || !std::all_of(id.begin(), id.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
      })) {
    return Lookup::kNotFound;
  }
  auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(mu_);
    auto it = cache_.find(id);
    if (it != cache_.end() && it->second.expires > now) {
      if (!it->second.found) {
        return Lookup::kNotFound;
      }
      *out = it->second.route;
      return Lookup::kFound;
    }
  }
  http::ClientRequest req;
  req.url = backend_url_ + "/internal/v1/instances/" + id + "/route";
  req.headers["Authorization"] = "Bearer " + token_;
  req.timeout = std::chrono::seconds(3);
  auto resp = pool_->Send(req);
  if (!resp.ok() || (resp->status != 200 && resp->status != 404)) {
    return Lookup::kUnavailable;
  }
  Entry e;
  e.expires = now + ttl_;
  e.found = resp->status == 200 && ParseRoute(resp->body, &e.route);
  if (resp->status == 200 && !e.found) {
    return Lookup::kUnavailable;  // an answer we cannot read: do not cache it as "no such id"
  }
  std::lock_guard lock(mu_);
  if (cache_.size() >= kMaxEntries) {
    cache_.clear();  // bounded memory beats a perfect hit rate under a flood of ids
  }
  cache_[id] = e;
  if (!e.found) {
    return Lookup::kNotFound;
  }
  *out = e.route;
  return Lookup::kFound;
}

void InstanceRoutes::Forget(const std::string& id) {
  std::lock_guard lock(mu_);
  cache_.erase(id);
}

}  // namespace mr::services::gateway
