#include "services/backend/node_client.h"

#include <boost/json.hpp>

namespace mr::services::backend {
namespace json = boost::json;
namespace {

std::optional<json::object> ParseObject(const std::string& body) {
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec || !v.is_object()) {
    return std::nullopt;
  }
  return v.as_object();
}

std::string Str(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

std::optional<int64_t> Int(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v && v->is_int64()) {
    return v->as_int64();
  }
  if (v && v->is_uint64()) {
    return static_cast<int64_t>(v->as_uint64());
  }
  return std::nullopt;
}

RemoteInstance FromJson(const json::object& o) {
  RemoteInstance r;
  r.id = Str(o, "id");
  r.status = Str(o, "status");
  r.memory_limit_mb = Int(o, "memory_limit_mb").value_or(0);
  r.eviction_policy = Str(o, "eviction_policy");
  r.persistence = Str(o, "persistence");
  r.port = Int(o, "port");
  if (r.port && *r.port == 0) {
    r.port.reset();
  }
  r.host = Str(o, "host");
  r.shared_port = Int(o, "shared_port").value_or(0);
  return r;
}

NodeError Malformed() { return NodeError{false, 502, "bad_answer", "unexpected answer"}; }

// An answer whose body is one instance.
NodeResult<RemoteInstance> InstanceAnswer(const http::ClientResponse& r) {
  NodeResult<RemoteInstance> out;
  if (auto o = ParseObject(r.body)) {
    out.value = FromJson(*o);
  } else {
    out.error = Malformed();
  }
  return out;
}

}  // namespace

Result<http::ClientResponse> NodeClient::Call(const std::string& method, const std::string& url,
                                              std::string body) {
  http::ClientRequest req;
  req.method = method;
  req.url = url;
  req.headers["Authorization"] = "Bearer " + token_;
  if (!body.empty()) {
    req.headers["Content-Type"] = "application/json";
  }
  req.body = std::move(body);
  req.timeout = timeout_;
  return pool_->Send(req);
}

template <typename T>
NodeResult<T> NodeClient::Failed(const Result<http::ClientResponse>& response) {
  NodeResult<T> out;
  if (!response.ok()) {
    out.error = NodeError{true, 0, "unreachable", response.error()};
    return out;
  }
  out.error.status = response->status;
  out.error.unreachable = response->status == 502 || response->status == 503;
  auto o = ParseObject(response->body);
  const json::value* err = o ? o->if_contains("error") : nullptr;
  if (err && err->is_object()) {
    out.error.code = Str(err->as_object(), "code");
    out.error.message = Str(err->as_object(), "message");
  } else {
    out.error.code = "bad_answer";
    out.error.message = "HTTP " + std::to_string(response->status);
  }
  return out;
}

NodeResult<NodeInfo> NodeClient::Node(const std::string& url) {
  auto r = Call("GET", url + "/v1/node", "");
  if (!r.ok() || r->status != 200) {
    return Failed<NodeInfo>(r);
  }
  NodeResult<NodeInfo> out;
  auto o = ParseObject(r->body);
  if (!o || Str(*o, "boot_id").empty()) {
    out.error = Malformed();
    return out;
  }
  out.value = NodeInfo{Str(*o, "boot_id"), Int(*o, "memory_capacity_mb").value_or(0),
                       Int(*o, "allocated_memory_mb").value_or(0)};
  return out;
}

NodeResult<RemoteInstance> NodeClient::Put(const std::string& url, const std::string& id,
                                           const RemoteSpec& spec) {
  json::object body{{"memory_limit_mb", spec.memory_limit_mb},
                    {"eviction_policy", spec.eviction_policy},
                    {"persistence", spec.persistence},
                    {"password", spec.password}};
  if (spec.port) {
    body["port"] = *spec.port;
  }
  auto r = Call("PUT", url + "/v1/instances/" + id, json::serialize(body));
  if (!r.ok() || (r->status != 200 && r->status != 201)) {
    return Failed<RemoteInstance>(r);
  }
  return InstanceAnswer(*r);
}

NodeResult<std::optional<RemoteInstance>> NodeClient::Get(const std::string& url,
                                                          const std::string& id) {
  auto r = Call("GET", url + "/v1/instances/" + id, "");
  NodeResult<std::optional<RemoteInstance>> out;
  if (r.ok() && r->status == 404) {
    out.value = std::optional<RemoteInstance>();
    return out;
  }
  if (!r.ok() || r->status != 200) {
    return Failed<std::optional<RemoteInstance>>(r);
  }
  if (auto o = ParseObject(r->body)) {
    out.value = std::optional<RemoteInstance>(FromJson(*o));
  } else {
    out.error = Malformed();
  }
  return out;
}

NodeResult<std::vector<RemoteInstance>> NodeClient::List(const std::string& url) {
  auto r = Call("GET", url + "/v1/instances", "");
  if (!r.ok() || r->status != 200) {
    return Failed<std::vector<RemoteInstance>>(r);
  }
  NodeResult<std::vector<RemoteInstance>> out;
  auto o = ParseObject(r->body);
  const json::value* list = o ? o->if_contains("instances") : nullptr;
  if (!list || !list->is_array()) {
    out.error = Malformed();
    return out;
  }
  std::vector<RemoteInstance> instances;
  for (const json::value& v : list->as_array()) {
    if (v.is_object()) {
      instances.push_back(FromJson(v.as_object()));
    }
  }
  out.value = std::move(instances);
  return out;
}

NodeResult<RemoteInstance> NodeClient::Act(const std::string& url, const std::string& id,
                                           const std::string& action) {
  auto r = Call("POST", url + "/v1/instances/" + id + "/" + action, "");
  if (!r.ok() || r->status != 200) {
    return Failed<RemoteInstance>(r);
  }
  return InstanceAnswer(*r);
}

NodeResult<bool> NodeClient::Delete(const std::string& url, const std::string& id) {
  auto r = Call("DELETE", url + "/v1/instances/" + id, "");
  if (!r.ok() || (r->status != 200 && r->status != 404)) {
    return Failed<bool>(r);
  }
  NodeResult<bool> out;
  out.value = true;
  return out;
}

NodeResult<http::ClientResponse> NodeClient::Exec(const std::string& url, const std::string& id,
                                                  std::string body) {
  auto r = Call("POST", url + "/v1/instances/" + id + "/exec", std::move(body));
  NodeResult<http::ClientResponse> out;
  if (!r.ok() || r->status >= 500) {
    return Failed<http::ClientResponse>(r);
  }
  out.value = std::move(*r);
  return out;
}

}  // namespace mr::services::backend
