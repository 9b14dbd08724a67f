#include "services/node_manager/lifecycle_api.h"

#include <boost/json.hpp>

#include "services/node_manager/reply_json.h"
#include "services/runtime/service_token.h"

namespace mr::services {
namespace json = boost::json;

namespace {

http::Response Error(const ApiError& e, const http::Request& req) {
  return http::JsonError(e.status, e.code, e.message, req.request_id);
}

json::object InstanceObject(const InstanceRecord& r, const LifecycleApiOptions& o) {
  return json::object{
      {"id", r.id},
      {"status", r.running ? "running" : "stopped"},
      {"memory_limit_mb", r.spec.memory_limit_mb},
      {"eviction_policy", r.spec.eviction_policy},
      {"persistence", std::string(PersistenceName(r.spec.persistence))},
      {"dedicated_port", r.spec.dedicated_port},
      {"port", r.port == 0 ? json::value(nullptr) : json::value(r.port)},
      {"host", o.public_host},
      {"shared_port", o.shared_port},
      {"max_clients", r.spec.max_clients},
      {"max_ops_per_sec", r.spec.max_ops_per_sec},
      {"created_at_ms", r.created_at_ms},
      {"updated_at_ms", r.updated_at_ms},
  };
}

constexpr size_t kMaxBatchCommands = 1000;

// Command arguments: strings, and numbers as their decimal text.
std::optional<ApiError> ParseArgs(const json::value& v, std::vector<std::string>* out) {
  if (!v.is_array()) {
    return ApiError{400, "invalid_command", "a command must be an array of strings"};
  }
  for (const auto& a : v.as_array()) {
    if (a.is_string()) {
      out->emplace_back(a.as_string());
    } else if (a.is_int64() || a.is_uint64() || a.is_double()) {
      out->push_back(json::serialize(a));
    } else {
      return ApiError{400, "invalid_command", "command arguments must be strings or numbers"};
    }
  }
  if (out->empty()) {
    return ApiError{400, "invalid_command", "command must not be empty"};
  }
  return std::nullopt;
}

// Parses {"command": ["SET", "k", "v"]}.
std::optional<ApiError> ParseCommand(const json::object& body, std::vector<std::string>* out) {
  const json::value* command = body.if_contains("command");
  if (command == nullptr || !command->is_array()) {
    return ApiError{400, "invalid_command",
                    R"(body must be {"command": ["NAME", "arg", ...]} or {"commands": [[...]]})"};
  }
  return ParseArgs(*command, out);
}

struct BatchRequest {
  std::vector<Command> commands;
  bool transaction = false;
  ReplyOptions reply;
};

// Parses {"commands": [["SET", "a", "1"], ["GET", "a"]], "transaction": false,
// "encoding": "base64"}.
std::optional<ApiError> ParseBatch(const json::object& body, BatchRequest* out) {
  const json::value* commands = body.if_contains("commands");
  if (commands == nullptr || !commands->is_array() || commands->as_array().empty()) {
    return ApiError{400, "invalid_command", "commands must be a non-empty array of commands"};
  }
  if (commands->as_array().size() > kMaxBatchCommands) {
    return ApiError{400, "too_many_commands",
                    "at most " + std::to_string(kMaxBatchCommands) + " commands per batch"};
  }
  for (const auto& [key, value] : body) {
    if (key == "transaction" && value.is_bool()) {
      out->transaction = value.as_bool();
    } else if (key == "encoding" && value.is_string() &&
               (value.as_string() == "base64" || value.as_string() == "none")) {
      out->reply.base64 = value.as_string() == "base64";
    } else if (key != "commands") {
      return ApiError{400, "invalid_command",
                      "unknown or invalid field '" + std::string(key) +
                          R"(' (known: commands, transaction (bool), encoding ("base64"|"none")))"};
    }
  }
  out->commands.reserve(commands->as_array().size());
  for (const auto& c : commands->as_array()) {
    out->commands.emplace_back();
    if (auto err = ParseArgs(c, &out->commands.back())) {
      return err;
    }
  }
  return std::nullopt;
}

json::value BatchJson(const BatchReplies& batch, ReplyOptions options) {
  json::array results;
  results.reserve(batch.replies.size());
  for (const std::string& reply : batch.replies) {
    ReplyJson decoded = DecodeReply(reply, options);
    if (!decoded.complete) {
      results.push_back(json::object{{"error", "ERR the engine returned no reply"}});
    } else if (decoded.is_error) {
      results.push_back(std::move(decoded.value));  // {"error": "..."}
    } else {
      results.push_back(json::object{{"result", std::move(decoded.value)}});
    }
  }
  json::object out{{"results", std::move(results)}};
  if (batch.aborted) {
    out["aborted"] = true;
  }
  return out;
}

http::Response ExecOne(Fleet* fleet, const json::object& body, http::Request& req) {
  std::vector<std::string> command;
  if (auto err = ParseCommand(body, &command)) {
    return Error(*err, req);
  }
  std::string reply;
  if (auto err = fleet->Exec(req.Param("id"), command, &reply)) {
    return Error(*err, req);
  }
  ReplyJson decoded = DecodeReply(reply);
  if (!decoded.complete) {
    return http::JsonError(500, "internal", "the engine returned no reply", req.request_id);
  }
  if (decoded.is_error) {
    return http::JsonError(400, "command_error",
                           decoded.value.as_object().at("error").as_string(), req.request_id);
  }
  return http::Response::Json(200, json::serialize(json::object{{"result", decoded.value}}));
}

http::Response ExecBatch(Fleet* fleet, const json::object& body, http::Request& req) {
  BatchRequest batch;
  if (auto err = ParseBatch(body, &batch)) {
    return Error(*err, req);
  }
  BatchReplies replies;
  if (auto err = fleet->ExecBatch(req.Param("id"), batch.commands, batch.transaction, &replies)) {
    return Error(*err, req);
  }
  return http::Response::Json(200, json::serialize(BatchJson(replies, batch.reply)));
}

json::object PersistenceObject(const InstancePersistence& p) {
  json::array problems;
  for (const std::string& line : p.restore_problems) {
    problems.emplace_back(line);
  }
  return json::object{
      {"enabled", p.enabled},
      {"log_bytes", p.log_bytes},
      {"unsynced_bytes", p.unsynced_bytes},
      {"last_fsync_age_ms", p.last_fsync_age_ms},
      {"last_save", p.last_save_s},
      {"snapshots", p.snapshots},
      {"saving", p.saving},
      {"errors", p.errors},
      {"restored_keys", p.restored_keys},
      {"restore_seconds", p.restore_seconds},
      {"restore_problems", std::move(problems)},
  };
}

json::object StatsObject(const InstanceStats& s) {
  return json::object{
      {"id", s.id},
      {"status", s.running ? "running" : "stopped"},
      {"used_memory", s.used_memory},
      {"maxmemory", s.maxmemory},
      {"keys", s.keys},
      {"expires", s.expires},
      {"total_commands", s.total_commands},
      {"ops_per_sec", s.ops_per_sec},
      {"keyspace_hits", s.hits},
      {"keyspace_misses", s.misses},
      {"connected_clients", s.connected_clients},
      {"evicted_keys", s.evicted_keys},
      {"expired_keys", s.expired_keys},
      {"rejected_commands", s.rejected_commands},
      {"rejected_connections", s.rejected_connections},
      {"latency_p50_us", s.latency_p50_us},
      {"latency_p99_us", s.latency_p99_us},
      {"latency_p999_us", s.latency_p999_us},
      {"persistence", PersistenceObject(s.persistence)},
  };
}

}  // namespace

std::string InstanceJson(const InstanceRecord& r, const LifecycleApiOptions& o) {
  return json::serialize(InstanceObject(r, o));
}

void AddLifecycleRoutes(http::Router* router, Fleet* fleet, const PortPool* ports,
                        LifecycleApiOptions o) {
  std::string token = o.internal_token;
  router->Use(RequireServiceToken(token));

  router->Put("/v1/instances/{id}", [fleet, o](http::Request& req) {
    InstanceSpec spec;
    if (auto err = ParseInstanceSpec(req.body, o.limits, &spec)) {
      return http::JsonError(err->status, err->code, err->message, req.request_id);
    }
    Fleet::PutOutcome out;
    if (auto err = fleet->Put(req.Param("id"), spec, &out)) {
      return Error(*err, req);
    }
    return http::Response::Json(out.created ? 201 : 200, InstanceJson(out.record, o));
  });
  router->Get("/v1/instances", [fleet, o](http::Request&) {
    json::array arr;
    for (const auto& r : fleet->List()) {
      arr.push_back(InstanceObject(r, o));
    }
    return http::Response::Json(200, json::serialize(json::object{{"instances", arr}}));
  });
  router->Get("/v1/instances/{id}", [fleet, o](http::Request& req) {
    auto r = fleet->Get(req.Param("id"));
    if (!r) {
      return http::JsonError(404, "not_found", "instance '" + req.Param("id") + "' does not exist",
                             req.request_id);
    }
    return http::Response::Json(200, InstanceJson(*r, o));
  });
  router->Post("/v1/instances/{id}/stop", [fleet, o](http::Request& req) {
    InstanceRecord r;
    if (auto err = fleet->Stop(req.Param("id"), &r)) {
      return Error(*err, req);
    }
    return http::Response::Json(200, InstanceJson(r, o));
  });
  router->Post("/v1/instances/{id}/start", [fleet, o](http::Request& req) {
    InstanceRecord r;
    if (auto err = fleet->Start(req.Param("id"), &r)) {
      return Error(*err, req);
    }
    return http::Response::Json(200, InstanceJson(r, o));
  });
  router->Delete("/v1/instances/{id}", [fleet](http::Request& req) {
    if (auto err = fleet->Delete(req.Param("id"))) {
      return Error(*err, req);
    }
    return http::Response::Json(200, R"({"deleted":true})");
  });
  router->Post("/v1/instances/{id}/exec", [fleet](http::Request& req) {
    json::parse_options opts;
    opts.allow_invalid_utf8 = true;  // keys and values are bytes, not necessarily UTF-8
    boost::system::error_code ec;
    json::value v = json::parse(req.body, ec, {}, opts);
    if (ec || !v.is_object()) {
      return Error({400, "invalid_command",
                    R"(body must be {"command": ["NAME", "arg", ...]} or {"commands": [[...]]})"},
                   req);
    }
    const json::object& body = v.as_object();
    return body.contains("commands") ? ExecBatch(fleet, body, req) : ExecOne(fleet, body, req);
  });
  router->Get("/v1/stats", [fleet](http::Request&) {
    json::array arr;
    for (const auto& s : fleet->Stats()) {
      arr.push_back(StatsObject(s));
    }
    return http::Response::Json(200, json::serialize(json::object{{"instances", arr}}));
  });
  router->Get("/v1/node", [fleet, ports, o](http::Request&) {
    return http::Response::Json(
        200, NodeJson(o.node, fleet->Totals(), *ports, o.public_host, o.shared_port));
  });
}

}  // namespace mr::services
