#include "services/api_gateway/rest_data_api.h"

#include "services/runtime/api_support.h"

#include <algorithm>

#include "security/instance_password.h"
#include "security/opaque_token.h"
#include "services/api_gateway/rest_command.h"

namespace mr::services::gateway {
namespace {

enum class Form { kBody, kPath };

http::Response Answer(int status, std::string_view message) {
  http::Response r = http::Response::Json(status, ErrorBody(message));
  if (status == 503) {
    r.headers.insert_or_assign("Retry-After", std::string("1"));  // as every other 503 here
  }
  return r;
}

// Backend ids are "db-" and lowercase letters and digits; anything else cannot exist, and
// must not reach the backend's URL (a decoded '/' or '?' would change the internal call).
bool PlausibleId(const std::string& id) {
  return !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
         });
}

std::string PresentedToken(const http::Request& req, std::string_view raw_query) {
  std::string auth = req.Header("Authorization");
  if (auth.size() > 7 && (auth.starts_with("Bearer ") || auth.starts_with("bearer "))) {
    return auth.substr(7);
  }
  return QueryToken(raw_query);
}

// What the path form's command is: the path after /rest/{id}/.
std::string_view PathTail(std::string_view path) {
  for (int skip = 0; skip < 2; ++skip) {  // "rest", then the id
    path.remove_prefix(std::min(path.find_first_not_of('/'), path.size()));
    path.remove_prefix(std::min(path.find('/'), path.size()));
  }
  return path;
}

// The request's commands, or an answer that ends it (400).
std::optional<http::Response> Commands(const http::Request& req, RestShape shape, Form form,
                                       std::string_view raw_query,
                                       std::vector<RestCommand>* out) {
  std::string error;
  if (form == Form::kPath) {
    out->push_back(PathCommand(PathTail(req.path), raw_query, req.body));
    error = out->back().empty() ? "ERR empty command" : "";
  } else if (shape == RestShape::kSingle) {
    out->emplace_back();
    error = ParseRestCommand(req.body, &out->back());
  } else {
    error = ParseRestBatch(req.body, kMaxRestBatch, out);
  }
  if (!error.empty()) {
    return Answer(400, error);
  }
  return std::nullopt;
}

http::Response Serve(const RestDataContext& c, http::Request& req, RestShape shape, Form form) {
  const std::string id = req.Param("id");
  size_t q = req.target.find('?');
  std::string_view raw_query =
      q == std::string::npos ? std::string_view() : std::string_view(req.target).substr(q + 1);
  const std::string token = PresentedToken(req, raw_query);
  InstanceRoute route;
  auto found = PlausibleId(id) && !token.empty() ? c.routes->Find(id, &route)
                                                 : InstanceRoutes::Lookup::kNotFound;
  if (found == InstanceRoutes::Lookup::kUnavailable) {
    return Answer(503, "ERR the instance directory is unavailable; try again");
  }
  // Unknown id and wrong token answer alike, so that tokens do not reveal which ids exist.
  if (found == InstanceRoutes::Lookup::kNotFound || route.rest_token_sha256.empty() ||
      !ConstantTimeEquals(security::HashOpaqueSecret(token), route.rest_token_sha256)) {
    std::string address = ClientAddress(req, c.trust_forwarded_for);
    if (int64_t wait = c.failed_auth_limit ? c.failed_auth_limit->Admit("ip:" + address) : 0) {
      http::Response r = Answer(429, "ERR too many refused tokens from this address; retry later");
      r.headers["Retry-After"] = std::to_string((wait + 999) / 1000);
      return r;
    }
    return Answer(401, "Unauthorized: a valid REST token for this instance is required");
  }
  if (route.status != "running") {
    return Answer(503, "ERR instance '" + id + "' is not available (status: " + route.status +
                           ")");
  }
  std::vector<RestCommand> commands;
  if (auto done = Commands(req, shape, form, raw_query, &commands)) {
    return *done;
  }
  std::string encoding = req.Header("Upstash-Encoding");
  std::transform(encoding.begin(), encoding.end(), encoding.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  http::ClientRequest out;
  out.method = "POST";
  out.url = route.node_manager_url + "/v1/instances/" + id + "/exec";
  out.headers["Authorization"] = "Bearer " + c.internal_token;
  out.headers["Content-Type"] = "application/json";
  out.headers["X-Request-Id"] = req.request_id;
  out.headers["traceparent"] = req.traceparent;
  out.body = ExecBody(commands, shape == RestShape::kTransaction, encoding == "base64");
  out.timeout = c.timeout;
  auto resp = c.pool->Send(out);
  const log::Context lc{req.request_id, req.trace_id};
  if (!resp.ok()) {
    c.logger.Warn("node-manager unreachable for the REST data API", lc,
                  {{"instance", id}, {"error", resp.error()}});
    return Answer(502, "ERR the instance's node did not answer; try again");
  }
  if (resp->status == 409 || resp->status == 404) {  // stopped, or moved since the lookup
    c.routes->Forget(id);
    return Answer(503, "ERR instance '" + id + "' is not available right now");
  }
  RestAnswer answer;
  if (resp->status != 200 || !UpstashAnswer(resp->body, shape, &answer)) {
    c.logger.Warn("unexpected node-manager exec answer", lc,
                  {{"instance", id}, {"status", std::to_string(resp->status)}});
    return Answer(resp->status == 400 || resp->status == 413 ? resp->status : 502,
                  "ERR the instance's node refused the request");
  }
  return http::Response::Json(answer.status, std::move(answer.body));
}

}  // namespace

void AddRestDataRoutes(http::Router* router, std::shared_ptr<const RestDataContext> ctx) {
  auto bind = [ctx](RestShape shape, Form form) {
    return [ctx, shape, form](http::Request& req) { return Serve(*ctx, req, shape, form); };
  };
  // The fixed paths first: the router takes the first match, and "*" matches them too.
  router->Post("/rest/{id}", bind(RestShape::kSingle, Form::kBody));
  router->Post("/rest/{id}/pipeline", bind(RestShape::kPipeline, Form::kBody));
  router->Post("/rest/{id}/multi-exec", bind(RestShape::kTransaction, Form::kBody));
  for (const char* method : {"GET", "POST", "PUT"}) {
    router->Add(method, "/rest/{id}/*", bind(RestShape::kSingle, Form::kPath));
  }
}

}  // namespace mr::services::gateway
