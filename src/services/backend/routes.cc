#include "services/backend/routes.h"

#include <boost/json.hpp>

#include "security/opaque_token.h"
#include "services/backend/instance_request.h"
#include "services/runtime/api_support.h"
#include "services/runtime/request_body.h"

namespace mr::services::backend {
namespace json = boost::json;
namespace {

using Ctx = BackendApiContext;

http::Response Error(const http::Request& req, int status, std::string_view code,
                     std::string_view message) {
  return http::JsonError(status, code, message, req.request_id);
}

http::Response InvalidToken(const http::Request& req) {
  http::Response r = Error(req, 401, "invalid_token",
                           "the access token or API key is missing, invalid or expired");
  r.headers["WWW-Authenticate"] = R"(Bearer error="invalid_token")";
  return r;
}

http::Response NotFound(const http::Request& req) {
  return Error(req, 404, "not_found", "no such instance");
}

http::Response DatabaseError(const Ctx& ctx, const http::Request& req, const sql::Status& s) {
  if (s.unavailable()) {
    return Unavailable(req, "the database is unavailable");
  }
  // sql messages never hold bound values: safe to log.
  ctx.logger.Error("database error", {req.request_id, req.trace_id}, {{"error", s.message()}});
  return Error(req, 500, "internal", "internal error");
}

http::Response NoContent() {
  http::Response r;
  r.status = 204;
  return r;
}

http::Response JsonOk(int status, const json::value& v) {
  return http::Response::Json(status, json::serialize(v));
}

Actor ActorOf(const Ctx& ctx, const http::Request& req, const Caller& c) {
  return Actor{c.user_id, c.api_key_id, ClientAddress(req, ctx.trust_forwarded_for),
               req.request_id};
}

json::value OptInt(const std::optional<int64_t>& v) {
  return v ? json::value(*v) : json::value(nullptr);
}

json::object InstanceJson(const Ctx& ctx, const InstanceRecord& r) {
  auto password = ctx.secrets->Open(r.password_sealed, r.id);
  auto rest_token = ctx.secrets->Open(r.rest_token_sealed, r.id);
  std::string pw = password.ok() ? *password : "";
  json::object endpoint{{"host", r.host.empty() ? json::value(nullptr) : json::value(r.host)},
                        {"port", OptInt(r.port)},
                        {"shared_port", OptInt(r.shared_port)}};
  json::value url = nullptr, cli = nullptr;
  std::optional<int64_t> port = r.port ? r.port : r.shared_port;
  if (!r.host.empty() && port && password.ok()) {
    // On the shared port the user name selects the instance; on its own port "default" does.
    std::string user = r.port ? "default" : r.id;
    std::string u = "redis://" + user + ":" + pw + "@" + r.host + ":" + std::to_string(*port);
    url = json::value(u);
    cli = json::value("redis-cli -u " + u);
  }
  json::object o{{"id", r.id},
                 {"name", r.name},
                 {"status", r.status},
                 {"desired_state", r.desired_state},
                 {"pending_change", r.applied_version < r.spec_version},
                 {"memory_limit_mb", r.memory_limit_mb},
                 {"eviction_policy", r.eviction_policy},
                 {"persistence", r.persistence},
                 {"password", password.ok() ? json::value(pw) : json::value(nullptr)},
                 {"endpoint", endpoint},
                 {"redis_cli", cli},
                 {"url", url},
                 {"rest_token", rest_token.ok() ? json::value(*rest_token) : json::value(nullptr)},
                 {"created_at", Rfc3339(r.created_at_ms)},
                 {"updated_at", Rfc3339(r.updated_at_ms)}};
  if (!r.status_message.empty()) {
    o["status_message"] = r.status_message;
  }
  return o;
}

// Runs `fn(caller)` for an authenticated caller on a migrated database.
template <typename F>
http::Response WithCaller(const Ctx& ctx, http::Request& req, F&& fn) {
  Caller caller;
  switch (ctx.auth->Authenticate(req, &caller)) {
    case Authenticator::Outcome::kInvalid: return InvalidToken(req);
    case Authenticator::Outcome::kUnavailable:
      return Unavailable(req, "the database is unavailable");
    case Authenticator::Outcome::kOk: break;
  }
  if (!ctx.schema_ready->load()) {
    return Unavailable(req, "the database is unavailable");
  }
  return fn(caller);
}

// The refusal of a store change as an HTTP answer.
http::Response Refused(const http::Request& req, const ChangeOutcome& outcome) {
  switch (*outcome.refusal) {
    case Refusal::kQuotaExceeded: return Error(req, 403, "quota_exceeded", outcome.message);
    case Refusal::kNameTaken:
      return Error(req, 409, "name_taken", "you already have an instance with this name");
    case Refusal::kNoCapacity: {
      http::Response r = Error(req, 503, "no_capacity", outcome.message);
      r.headers["Retry-After"] = "1";
      return r;
    }
    case Refusal::kNotFound: return NotFound(req);
    case Refusal::kBusy: return Error(req, 409, "instance_busy", "the instance is being deleted");
  }
  return Error(req, 500, "internal", "internal error");
}

// Pushes a change to its node-manager and answers the instance as it now is. A node-manager
// that did not answer leaves the change pending: the reconciler finishes it.
http::Response ApplyAndAnswer(const Ctx& ctx, const http::Request& req, const InstanceRecord& r,
                              int status) {
  Converged result = ctx.provisioner->Converge(r);
  if (!result.ok && result.error.unreachable) {
    ctx.logger.Warn("node-manager did not confirm a change; the reconciler will retry",
                    {req.request_id, req.trace_id},
                    {{"instance", r.id}, {"node_manager", r.node_manager},
                     {"error", result.error.message}});
  }
  return JsonOk(status, InstanceJson(ctx, result.record));
}

http::Response ListInstances(const Ctx& ctx, http::Request& req) {
  return WithCaller(ctx, req, [&](const Caller& c) {
    auto list = ctx.instances->List(c.user_id);
    if (!list.ok()) {
      return DatabaseError(ctx, req, list.status());
    }
    json::array items;
    for (const InstanceRecord& r : *list) {
      items.push_back(InstanceJson(ctx, r));
    }
    return JsonOk(200, json::object{{"instances", items}});
  });
}

http::Response CreateInstance(const Ctx& ctx, http::Request& req) {
  return WithCaller(ctx, req, [&](const Caller& c) {
    InstanceFields fields;
    if (auto e = ParseCreateInstance(req.body, ctx.max_memory_mb, &fields)) {
      return FromApiError(req, *e);
    }
    NewInstance n;
    n.id = NewInstanceId();
    n.owner_id = c.user_id;
    n.fields = fields;
    security::IssuedSecret password = security::NewOpaqueSecret(security::OpaqueKind::kApiKey);
    security::IssuedSecret rest = security::NewOpaqueSecret(security::OpaqueKind::kApiKey);
    // The secrets without the API-key prefix: 43 base64url characters of 256 random bits.
    std::string pw = password.secret.substr(security::kApiKeyPrefix.size());
    std::string rest_token = rest.secret.substr(security::kApiKeyPrefix.size());
    n.password_sealed = ctx.secrets->Seal(pw, n.id);
    n.rest_token_sealed = ctx.secrets->Seal(rest_token, n.id);
    n.rest_token_hash = security::HashOpaqueSecret(rest_token);
    auto created = ctx.instances->Create(n, ctx.reconciler->Targets(), ActorOf(ctx, req, c),
                                         NowMs());
    if (!created.ok()) {
      return DatabaseError(ctx, req, created.status());
    }
    if (created->refusal) {
      return Refused(req, *created);
    }
    ctx.logger.Info("instance created", {req.request_id, req.trace_id},
                    {{"instance", n.id}, {"user_id", std::to_string(c.user_id)},
                     {"node_manager", created->record.node_manager}});
    return ApplyAndAnswer(ctx, req, created->record, 201);
  });
}

// Runs `fn(caller, record)` for the caller's own live instance {id}; anything else is a 404.
template <typename F>
http::Response WithInstance(const Ctx& ctx, http::Request& req, F&& fn) {
  return WithCaller(ctx, req, [&](const Caller& c) {
    std::string id = req.Param("id");
    if (!IsValidInstanceId(id)) {
      return NotFound(req);
    }
    auto found = ctx.instances->Get(c.user_id, id);
    if (!found.ok()) {
      return DatabaseError(ctx, req, found.status());
    }
    if (!found->has_value()) {
      return NotFound(req);
    }
    return fn(c, **found);
  });
}

http::Response GetInstance(const Ctx& ctx, http::Request& req) {
  return WithInstance(ctx, req, [&](const Caller&, const InstanceRecord& r) {
    return JsonOk(200, InstanceJson(ctx, r));
  });
}

// Applies a store change to the caller's instance, then pushes it.
template <typename Change>
http::Response ChangeInstance(const Ctx& ctx, http::Request& req, Change&& change) {
  return WithCaller(ctx, req, [&](const Caller& c) {
    std::string id = req.Param("id");
    if (!IsValidInstanceId(id)) {
      return NotFound(req);
    }
    auto outcome = change(c, id);
    if (!outcome.ok()) {
      return DatabaseError(ctx, req, outcome.status());
    }
    if (outcome->refusal) {
      return Refused(req, *outcome);
    }
    return ApplyAndAnswer(ctx, req, outcome->record, 200);
  });
}

http::Response UpdateInstance(const Ctx& ctx, http::Request& req) {
  // Ownership first: a stranger learns nothing, not even whether the body was right.
  return WithInstance(ctx, req, [&](const Caller& c, const InstanceRecord& r) {
    InstanceFields fields;
    if (auto e = ParseUpdateInstance(req.body, ctx.max_memory_mb, &fields)) {
      return FromApiError(req, *e);
    }
    auto outcome = ctx.instances->Update(c.user_id, r.id, fields, ActorOf(ctx, req, c), NowMs());
    if (!outcome.ok()) {
      return DatabaseError(ctx, req, outcome.status());
    }
    if (outcome->refusal) {
      return Refused(req, *outcome);
    }
    return ApplyAndAnswer(ctx, req, outcome->record, 200);
  });
}

http::Response SetState(const Ctx& ctx, http::Request& req, const std::string& desired) {
  return ChangeInstance(ctx, req, [&](const Caller& c, const std::string& id) {
    return ctx.instances->SetDesiredState(c.user_id, id, desired, ActorOf(ctx, req, c), NowMs());
  });
}

http::Response StartInstance(const Ctx& ctx, http::Request& req) {
  return SetState(ctx, req, "running");
}

http::Response StopInstance(const Ctx& ctx, http::Request& req) {
  return SetState(ctx, req, "stopped");
}

http::Response DeleteInstance(const Ctx& ctx, http::Request& req) {
  return WithCaller(ctx, req, [&](const Caller& c) {
    std::string id = req.Param("id");
    if (!IsValidInstanceId(id)) {
      return NotFound(req);
    }
    auto outcome = ctx.instances->MarkDeleting(c.user_id, id, ActorOf(ctx, req, c), NowMs());
    if (!outcome.ok()) {
      return DatabaseError(ctx, req, outcome.status());
    }
    if (outcome->refusal) {
      return Refused(req, *outcome);
    }
    Converged result = ctx.provisioner->Converge(outcome->record);
    if (!result.ok) {
      // Recorded as deleting: the reconciler finishes it, and the user's intent stands.
      ctx.logger.Warn("delete not confirmed yet; the reconciler will finish it",
                      {req.request_id, req.trace_id},
                      {{"instance", id}, {"error", result.error.message}});
      return JsonOk(202, InstanceJson(ctx, result.record));
    }
    return NoContent();
  });
}

http::Response RunCommand(const Ctx& ctx, http::Request& req) {
  return WithInstance(ctx, req, [&](const Caller&, const InstanceRecord& r) {
    std::vector<std::string> args;
    if (auto e = ParseCommand(req.body, &args)) {
      return FromApiError(req, *e);
    }
    json::array command;
    for (std::string& a : args) {
      command.emplace_back(std::move(a));
    }
    auto answer = ctx.nodes->Exec(r.node_manager, r.id,
                                  json::serialize(json::object{{"command", command}}));
    if (!answer.ok()) {
      if (answer.error.unreachable) {
        return Unavailable(req, "the instance's node-manager is unavailable");
      }
      return Error(req, 502, "node_manager_error", "the node-manager gave an unexpected answer");
    }
    const http::ClientResponse& resp = *answer.value;
    if (resp.status == 200) {
      return http::Response::Json(200, resp.body);
    }
    if (resp.status == 404) {
      return Error(req, 409, "instance_not_ready", "the instance is not provisioned yet");
    }
    // Re-issue node-manager's refusal under this request's id.
    boost::system::error_code ec;
    json::value v = json::parse(resp.body, ec);
    const json::object* err = nullptr;
    if (!ec && v.is_object() && v.as_object().contains("error") &&
        v.as_object().at("error").is_object()) {
      err = &v.as_object().at("error").as_object();
    }
    auto text = [&](std::string_view key) -> std::string {
      const json::value* f = err ? err->if_contains(key) : nullptr;
      return f && f->is_string() ? std::string(f->as_string()) : std::string();
    };
    if (err == nullptr) {
      return Error(req, 502, "node_manager_error", "the node-manager gave an unexpected answer");
    }
    return Error(req, resp.status, text("code"), text("message"));
  });
}

http::Response GetQuota(const Ctx& ctx, http::Request& req) {
  return WithCaller(ctx, req, [&](const Caller& c) {
    auto usage = ctx.instances->UsageOf(c.user_id);
    if (!usage.ok()) {
      return DatabaseError(ctx, req, usage.status());
    }
    return JsonOk(200, json::object{
                           {"instances", {{"used", usage->instances},
                                          {"limit", usage->limits.max_instances}}},
                           {"memory_mb", {{"used", usage->memory_mb},
                                          {"limit", usage->limits.max_memory_mb}}}});
  });
}

http::Response GetAuditLog(const Ctx& ctx, http::Request& req) {
  return WithCaller(ctx, req, [&](const Caller& c) {
    int64_t limit = 50, before = 0;
    auto it = req.query.find("limit");
    if (it != req.query.end() && (!ParseInt64(it->second, &limit) || limit < 1 || limit > 500)) {
      return Error(req, 400, "invalid_limit", "limit must be an integer from 1 to 500");
    }
    it = req.query.find("before");
    if (it != req.query.end() && (!ParseInt64(it->second, &before) || before < 1)) {
      return Error(req, 400, "invalid_before", "before must be a positive event id");
    }
    auto events = ListAudit(*ctx.db, c.user_id, before, limit);
    if (!events.ok()) {
      return DatabaseError(ctx, req, events.status());
    }
    json::array items;
    for (const AuditEvent& e : *events) {
      boost::system::error_code ec;
      json::value details = json::parse(e.details, ec);
      items.push_back(json::object{
          {"id", std::to_string(e.id)},
          {"at", Rfc3339(e.at_ms)},
          {"actor", {{"type", e.actor.user_id ? "user" : "system"},
                     {"user_id", e.actor.user_id ? json::value(std::to_string(*e.actor.user_id))
                                                 : json::value(nullptr)},
                     {"api_key_id", e.actor.api_key_id
                                        ? json::value(std::to_string(*e.actor.api_key_id))
                                        : json::value(nullptr)}}},
          {"action", e.action},
          {"target", {{"type", e.target_type}, {"id", e.target_id}}},
          {"details", ec ? json::value(json::object()) : details},
          {"remote_address", e.actor.remote_address.empty()
                                 ? json::value(nullptr)
                                 : json::value(e.actor.remote_address)},
          {"request_id", e.actor.request_id.empty() ? json::value(nullptr)
                                                    : json::value(e.actor.request_id)}});
    }
    json::value next = nullptr;
    if (static_cast<int64_t>(events->size()) == limit) {
      next = std::to_string(events->back().id);
    }
    return JsonOk(200, json::object{{"events", items}, {"next_before", next}});
  });
}

json::object ApiKeyJson(const ApiKey& k) {
  return {{"id", std::to_string(k.id)},
          {"name", k.name},
          {"prefix", k.prefix},
          {"created_at", Rfc3339(k.created_at_ms)},
          {"last_used_at", k.last_used_at_ms ? json::value(Rfc3339(*k.last_used_at_ms))
                                             : json::value(nullptr)}};
}

http::Response Forbidden(const http::Request& req) {
  return Error(req, 403, "forbidden",
               "API keys cannot manage API keys; sign in to the console to do this");
}

http::Response ListApiKeys(const Ctx& ctx, http::Request& req) {
  return WithCaller(ctx, req, [&](const Caller& c) {
    auto keys = ctx.api_keys->List(c.user_id);
    if (!keys.ok()) {
      return DatabaseError(ctx, req, keys.status());
    }
    json::array items;
    for (const ApiKey& k : *keys) {
      items.push_back(ApiKeyJson(k));
    }
    return JsonOk(200, json::object{{"api_keys", items}});
  });
}

http::Response CreateApiKey(const Ctx& ctx, http::Request& req) {
  return WithCaller(ctx, req, [&](const Caller& c) {
    if (c.api_key_id) {
      return Forbidden(req);
    }
    std::string name;
    if (auto e = ParseApiKeyName(req.body, &name)) {
      return FromApiError(req, *e);
    }
    auto created = ctx.api_keys->Create(c.user_id, name, ActorOf(ctx, req, c), NowMs());
    if (!created.ok()) {
      return DatabaseError(ctx, req, created.status());
    }
    if (!created->has_value()) {
      return Error(req, 403, "quota_exceeded",
                   "quota exceeded: at most " + std::to_string(ApiKeys::kMaxLiveKeys) +
                       " API keys; revoke one first");
    }
    json::object o = ApiKeyJson((*created)->key);
    o.erase("last_used_at");  // a key just made was never used
    o["key"] = (*created)->secret;
    return JsonOk(201, o);
  });
}

http::Response RevokeApiKey(const Ctx& ctx, http::Request& req) {
  return WithCaller(ctx, req, [&](const Caller& c) {
    if (c.api_key_id) {
      return Forbidden(req);
    }
    int64_t id = 0;
    if (!ParseInt64(req.Param("id"), &id)) {
      return Error(req, 404, "not_found", "no such API key");
    }
    auto revoked = ctx.api_keys->Revoke(c.user_id, id, ActorOf(ctx, req, c), NowMs());
    if (!revoked.ok()) {
      return DatabaseError(ctx, req, revoked.status());
    }
    return *revoked ? NoContent() : Error(req, 404, "not_found", "no such API key");
  });
}

// Internal routes: the caller is api-gateway with the internal token.
template <typename F>
http::Response Internal(const Ctx& ctx, http::Request& req, F&& fn) {
  if (!ctx.auth->IsInternal(req)) {
    http::Response r = Error(req, 401, "invalid_token", "internal route: internal token required");
    r.headers["WWW-Authenticate"] = "Bearer";
    return r;
  }
  if (!ctx.schema_ready->load()) {
    return Unavailable(req, "the database is unavailable");
  }
  return fn();
}

http::Response ResolveApiKey(const Ctx& ctx, http::Request& req) {
  return Internal(ctx, req, [&] {
    BodyValues v;
    if (auto e = ParseBody(req.body, {{.name = "key", .max_bytes = 128}}, &v)) {
      return FromApiError(req, *e);
    }
    auto owner = ctx.api_keys->Resolve(v["key"].text, NowMs());
    if (!owner.ok()) {
      return DatabaseError(ctx, req, owner.status());
    }
    if (!owner->has_value()) {
      return Error(req, 404, "not_found", "unknown or revoked API key");
    }
    return JsonOk(200, json::object{{"user_id", std::to_string((*owner)->user_id)},
                                    {"api_key_id", std::to_string((*owner)->api_key_id)}});
  });
}

http::Response InstanceRoute(const Ctx& ctx, http::Request& req) {
  return Internal(ctx, req, [&] {
    std::string id = req.Param("id");
    if (!IsValidInstanceId(id)) {
      return NotFound(req);
    }
    auto found = ctx.instances->GetAny(id);
    if (!found.ok()) {
      return DatabaseError(ctx, req, found.status());
    }
    if (!found->has_value()) {
      return NotFound(req);
    }
    const InstanceRecord& r = **found;
    auto rest_token = ctx.secrets->Open(r.rest_token_sealed, r.id);
    return JsonOk(200, json::object{
                           {"node_manager_url", r.node_manager},
                           {"owner_id", std::to_string(r.owner_id)},
                           {"status", r.status},
                           {"rest_token_sha256", rest_token.ok()
                                                     ? json::value(security::HashOpaqueSecret(
                                                           *rest_token))
                                                     : json::value(nullptr)}});
  });
}

}  // namespace

void AddBackendRoutes(http::Router* router, std::shared_ptr<const BackendApiContext> ctx) {
  auto bind = [ctx](http::Response (*fn)(const Ctx&, http::Request&)) {
    return [ctx, fn](http::Request& req) { return fn(*ctx, req); };
  };
  router->Get("/api/v1/instances", bind(ListInstances));
  router->Post("/api/v1/instances", bind(CreateInstance));
  router->Get("/api/v1/instances/{id}", bind(GetInstance));
  router->Patch("/api/v1/instances/{id}", bind(UpdateInstance));
  router->Delete("/api/v1/instances/{id}", bind(DeleteInstance));
  router->Post("/api/v1/instances/{id}/start", bind(StartInstance));
  router->Post("/api/v1/instances/{id}/stop", bind(StopInstance));
  router->Post("/api/v1/instances/{id}/command", bind(RunCommand));
  router->Get("/api/v1/quota", bind(GetQuota));
  router->Get("/api/v1/audit-log", bind(GetAuditLog));
  router->Get("/api/v1/api-keys", bind(ListApiKeys));
  router->Post("/api/v1/api-keys", bind(CreateApiKey));
  router->Delete("/api/v1/api-keys/{id}", bind(RevokeApiKey));
  router->Post("/internal/v1/api-keys/resolve", bind(ResolveApiKey));
  router->Get("/internal/v1/instances/{id}/route", bind(InstanceRoute));
}

}  // namespace mr::services::backend
