// Server commands an instance answers without networking: DBSIZE TIME INFO CONFIG COMMAND SELECT
// SWAPDB, and the refusal of server-wide commands a tenant must not run.
#include <string>
#include <vector>

#include "engine/server/command_context.h"
#include "engine/server/config_params.h"
#include "engine/server/families.h"

namespace mr::engine {

namespace {

using namespace co;

void CmdDbSize(CmdArgs, CommandContext& c) { c.w.Integer(static_cast<int64_t>(c.db.size())); }

void CmdTime(CmdArgs, CommandContext& c) {
  int64_t us = c.inst.clock().NowUs();
  c.w.ArrayHeader(2);
  ReplyIntBulk(c, us / 1000000);
  ReplyIntBulk(c, us % 1000000);
}

void CmdSelect(CmdArgs args, CommandContext& c) {
  int64_t v;
  if (!ParseInt(args[1], &v)) {
    return ReplyStatus(c, OpStatus::INVALID_INT);
  }
  if (v < 0 || v >= Instance::kDatabases) {
    return c.w.Error("ERR DB index is out of range");
  }
  c.session.db = static_cast<int>(v);
  ReplyOk(c);
}

void CmdSwapDb(CmdArgs args, CommandContext& c) {
  int64_t a, b;
  if (!ParseInt(args[1], &a)) {
    return c.w.Error("ERR invalid first DB index");
  }
  if (!ParseInt(args[2], &b)) {
    return c.w.Error("ERR invalid second DB index");
  }
  if (a < 0 || a >= Instance::kDatabases || b < 0 || b >= Instance::kDatabases) {
    return c.w.Error("ERR DB index is out of range");
  }
  c.inst.db(static_cast<int>(a));
  c.inst.db(static_cast<int>(b));
  c.inst.SwapDb(static_cast<int>(a), static_cast<int>(b));
  ReplyOk(c);
}

void CmdRefused(CmdArgs args, CommandContext& c) {
  std::string name(c.cmd->name);
  for (char& ch : name) {
    ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  }
  c.w.Error("ERR " + name + " is not allowed in a MiniRedis instance");
}

void Line(std::string* out, std::string_view k, std::string_view v) {
  out->append(k);
  out->push_back(':');
  out->append(v);
  out->append("\r\n");
}

void Line(std::string* out, std::string_view k, int64_t v) { Line(out, k, std::to_string(v)); }

std::string HumanBytes(int64_t n) {
  char buf[64];
  double d = static_cast<double>(n);
  if (n < 1024) {
    std::snprintf(buf, sizeof(buf), "%lldB", static_cast<long long>(n));
  } else if (n < 1024 * 1024) {
    std::snprintf(buf, sizeof(buf), "%.2fK", d / 1024);
  } else if (n < 1024ll * 1024 * 1024) {
    std::snprintf(buf, sizeof(buf), "%.2fM", d / (1024 * 1024));
  } else {
    std::snprintf(buf, sizeof(buf), "%.2fG", d / (1024.0 * 1024 * 1024));
  }
  return buf;
}

void InfoSection(CommandContext& c, const Stats& s, std::string_view sec, std::string* out) {
  int64_t now = c.now_ms;
  if (sec == "server") {
    out->append("# Server\r\n");
    Line(out, "redis_version", "7.0.15");
    Line(out, "redis_mode", "standalone");
    Line(out, "miniredis_instance", c.inst.config().id);
    Line(out, "uptime_in_seconds", (now - c.inst.counters.created_ms) / 1000);
    Line(out, "uptime_in_days", (now - c.inst.counters.created_ms) / 86400000);
    Line(out, "lru_clock", c.inst.LruClock(now));
  } else if (sec == "clients") {
    out->append("# Clients\r\n");
    Line(out, "connected_clients", static_cast<int64_t>(s.connected_clients));
    Line(out, "blocked_clients", static_cast<int64_t>(s.blocked_clients));
  } else if (sec == "memory") {
    out->append("# Memory\r\n");
    Line(out, "used_memory", s.used_memory);
    Line(out, "used_memory_human", HumanBytes(s.used_memory));
    Line(out, "used_memory_peak", s.used_memory_peak);
    Line(out, "used_memory_peak_human", HumanBytes(s.used_memory_peak));
    Line(out, "maxmemory", s.maxmemory);
    Line(out, "maxmemory_human", HumanBytes(s.maxmemory));
    Line(out, "maxmemory_policy", PolicyName(s.policy));
  } else if (sec == "persistence") {
    out->append("# Persistence\r\n");
    Line(out, "loading", 0);
    Line(out, "rdb_changes_since_last_save", static_cast<int64_t>(s.dirty));
    if (const ChangeLog* log = c.inst.change_log(); log != nullptr) {
      log->AppendInfo(out);
    } else {
      Line(out, "aof_enabled", 0);
    }
  } else if (sec == "stats") {
    out->append("# Stats\r\n");
    Line(out, "total_connections_received", static_cast<int64_t>(s.total_connections_received));
    Line(out, "total_commands_processed", static_cast<int64_t>(s.total_commands_processed));
    Line(out, "rejected_connections", static_cast<int64_t>(s.rejected_connections));
    Line(out, "expired_keys", static_cast<int64_t>(s.expired_keys));
    Line(out, "evicted_keys", static_cast<int64_t>(s.evicted_keys));
    Line(out, "keyspace_hits", static_cast<int64_t>(s.keyspace_hits));
    Line(out, "keyspace_misses", static_cast<int64_t>(s.keyspace_misses));
    Line(out, "pubsub_channels", static_cast<int64_t>(s.pubsub_channels));
    Line(out, "pubsub_patterns", static_cast<int64_t>(s.pubsub_patterns));
  } else if (sec == "replication") {
    out->append("# Replication\r\n");
    Line(out, "role", "master");
    Line(out, "connected_slaves", 0);
  } else if (sec == "keyspace") {
    out->append("# Keyspace\r\n");
    for (int i = 0; i < Instance::kDatabases; ++i) {
      const DbStats& d = s.dbs[i];
      if (d.keys == 0) {
        continue;
      }
      Line(out, "db" + std::to_string(i),
           "keys=" + std::to_string(d.keys) + ",expires=" + std::to_string(d.expires) +
               ",avg_ttl=" + std::to_string(d.avg_ttl_ms));
    }
  }
}

void CmdInfo(CmdArgs args, CommandContext& c) {
  static constexpr std::string_view kAll[] = {"server",      "clients", "memory",     "persistence",
                                              "stats",       "replication", "keyspace"};
  std::vector<std::string> wanted;
  for (size_t i = 1; i < args.size(); ++i) {
    std::string s(args[i]);
    for (char& ch : s) {
      ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    }
    wanted.push_back(s);
  }
  bool all = wanted.empty() || std::find_if(wanted.begin(), wanted.end(), [](const std::string& w) {
                                 return w == "all" || w == "default" || w == "everything";
                               }) != wanted.end();
  Stats s = c.inst.stats();
  std::string out;
  for (std::string_view sec : kAll) {
    if (!all && std::find(wanted.begin(), wanted.end(), sec) == wanted.end()) {
      continue;
    }
    if (!out.empty()) {
      out.append("\r\n");
    }
    InfoSection(c, s, sec, &out);
  }
  c.w.Verbatim("txt", out);
}

void CommandInfoReply(CommandContext& c, const CommandId& cmd) {
  c.w.ArrayHeader(10);
  c.w.Bulk(cmd.name);
  c.w.Integer(cmd.arity);
  static constexpr std::pair<uint32_t, std::string_view> kFlags[] = {
      {WRITE, "write"},     {READONLY, "readonly"}, {DENYOOM, "denyoom"}, {ADMIN, "admin"},
      {PUBSUB, "pubsub"},   {NOSCRIPT, "noscript"}, {BLOCKING, "blocking"},
      {LOADING, "loading"}, {STALE, "stale"},       {FAST, "fast"},
      {MOVABLEKEYS, "movablekeys"}};  // Redis lists it last, after the command's own flags
  size_t n = 0;
  for (const auto& [bit, name] : kFlags) {
    n += (cmd.flags & bit) ? 1 : 0;
  }
  c.w.SetHeader(n);
  for (const auto& [bit, name] : kFlags) {
    if (cmd.flags & bit) {
      c.w.SimpleString(name);
    }
  }
  c.w.Integer(cmd.first_key);
  c.w.Integer(cmd.last_key);
  c.w.Integer(cmd.step);
  c.w.SetHeader(0);
  c.w.SetHeader(0);
  c.w.ArrayHeader(0);
  c.w.ArrayHeader(0);
}

void CmdCommand(CmdArgs args, CommandContext& c) {
  const auto& all = Commands().all();
  if (args.size() == 1) {
    c.w.ArrayHeader(all.size());
    for (const CommandId& cmd : all) {
      CommandInfoReply(c, cmd);
    }
    return;
  }
  std::string_view sub = args[1];
  if (EqualsNoCase(sub, "count") && args.size() == 2) {
    return c.w.Integer(static_cast<int64_t>(all.size()));
  }
  if (EqualsNoCase(sub, "list") && args.size() == 2) {
    c.w.ArrayHeader(all.size());
    for (const CommandId& cmd : all) {
      c.w.Bulk(cmd.name);
    }
    return;
  }
  if (EqualsNoCase(sub, "info")) {
    c.w.ArrayHeader(args.size() - 2);
    for (size_t i = 2; i < args.size(); ++i) {
      const CommandId* cmd = Commands().Find(args[i]);
      if (cmd) {
        CommandInfoReply(c, *cmd);
      } else {
        c.w.NullArray();
      }
    }
    return;
  }
  if (EqualsNoCase(sub, "docs")) {
    std::vector<const CommandId*> cmds;
    for (size_t i = 2; i < args.size(); ++i) {
      if (const CommandId* cmd = Commands().Find(args[i])) {
        cmds.push_back(cmd);
      }
    }
    if (args.size() == 2) {
      for (const CommandId& cmd : all) {
        cmds.push_back(&cmd);
      }
    }
    c.w.MapHeader(cmds.size());
    for (const CommandId* cmd : cmds) {
      c.w.Bulk(cmd->name);
      c.w.MapHeader(2);
      c.w.Bulk("summary");
      c.w.Bulk(std::string(cmd->name) + " command");
      c.w.Bulk("arity");
      c.w.Integer(cmd->arity);
    }
    return;
  }
  c.w.Error("ERR unknown subcommand \'" + std::string(sub) + "\'. Try COMMAND HELP.");
}

void CmdConfig(CmdArgs args, CommandContext& c) {
  std::string_view sub = args[1];
  if (EqualsNoCase(sub, "get") && args.size() >= 3) {
    return ConfigGet(c, args.subspan(2));
  }
  if (EqualsNoCase(sub, "set") && args.size() >= 4 && args.size() % 2 == 0) {
    return ConfigSet(c, args.subspan(2));
  }
  if (EqualsNoCase(sub, "resetstat") && args.size() == 2) {
    Instance::Counters& k = c.inst.counters;
    k.keyspace_hits = k.keyspace_misses = k.total_commands = 0;
    return ReplyOk(c);
  }
  if (EqualsNoCase(sub, "rewrite")) {
    return c.w.Error("ERR CONFIG REWRITE is not allowed in a MiniRedis instance");
  }
  std::string name(sub);
  for (char& ch : name) {
    ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  }
  if (name == "get" || name == "set") {
    return c.w.Error("ERR wrong number of arguments for 'config|" + name + "' command");
  }
  c.w.Error("ERR unknown subcommand '" + std::string(sub) + "'. Try CONFIG HELP.");
}

}  // namespace

void RegisterServerFamily(CommandRegistry* r) {
  *r << CommandId{"dbsize", READONLY | FAST, 1, 0, 0, 0, CmdDbSize}
     << CommandId{"time", READONLY | FAST, 1, 0, 0, 0, CmdTime}
     << CommandId{"select", LOADING | STALE | FAST, 2, 0, 0, 0, CmdSelect}
     << CommandId{"swapdb", WRITE | FAST, 3, 0, 0, 0, CmdSwapDb}
     << CommandId{"info", LOADING | STALE, -1, 0, 0, 0, CmdInfo}
     << CommandId{"command", LOADING | STALE, -1, 0, 0, 0, CmdCommand}
     << CommandId{"config", ADMIN | LOADING | STALE, -2, 0, 0, 0, CmdConfig}
     << CommandId{"shutdown", ADMIN | NOSCRIPT | LOADING | STALE, -1, 0, 0, 0, CmdRefused}
     << CommandId{"debug", ADMIN | NOSCRIPT | LOADING | STALE, -2, 0, 0, 0, CmdRefused}
     << CommandId{"replicaof", ADMIN | NOSCRIPT | STALE, 3, 0, 0, 0, CmdRefused}
     << CommandId{"slaveof", ADMIN | NOSCRIPT | STALE, 3, 0, 0, 0, CmdRefused}
     << CommandId{"module", ADMIN | NOSCRIPT, -2, 0, 0, 0, CmdRefused}
     << CommandId{"monitor", ADMIN | NOSCRIPT | LOADING | STALE, 1, 0, 0, 0, CmdRefused}
     << CommandId{"sync", ADMIN | NOSCRIPT, 1, 0, 0, 0, CmdRefused}
     << CommandId{"psync", ADMIN | NOSCRIPT, -3, 0, 0, 0, CmdRefused}
     << CommandId{"failover", ADMIN | NOSCRIPT | STALE, -1, 0, 0, 0, CmdRefused}
     << CommandId{"acl", ADMIN | NOSCRIPT | LOADING | STALE, -2, 0, 0, 0, CmdRefused}
;
}

}  // namespace mr::engine
