// The per-instance parameter table behind CONFIG GET/SET.
#include "engine/server/config_params.h"

#include <string>
#include <vector>

namespace mr::engine {

namespace {

enum class Param {
  kMaxmemory,
  kPolicy,
  kSamples,
  kLfuLog,
  kLfuDecay,
  kHashEntries,
  kHashValue,
  kSetInts,
  kZsetEntries,
  kZsetValue,
  kListEntries,
  kListValue,
  kHllSparseMax,
  kNotify,
  kSlowlogSlowerThan,
  kSlowlogMaxLen,
  kLatencyThreshold,
  kBusyReplyThreshold,
};

struct ParamDef {
  std::string_view name;
  Param p;
};

constexpr ParamDef kParams[] = {
    {"maxmemory", Param::kMaxmemory},
    {"maxmemory-policy", Param::kPolicy},
    {"maxmemory-samples", Param::kSamples},
    {"lfu-log-factor", Param::kLfuLog},
    {"lfu-decay-time", Param::kLfuDecay},
    {"hash-max-listpack-entries", Param::kHashEntries},
    {"hash-max-listpack-value", Param::kHashValue},
    {"hash-max-ziplist-entries", Param::kHashEntries},
    {"hash-max-ziplist-value", Param::kHashValue},
    {"set-max-intset-entries", Param::kSetInts},
    {"zset-max-listpack-entries", Param::kZsetEntries},
    {"zset-max-listpack-value", Param::kZsetValue},
    {"zset-max-ziplist-entries", Param::kZsetEntries},
    {"zset-max-ziplist-value", Param::kZsetValue},
    {"list-max-listpack-entries", Param::kListEntries},
    {"list-max-listpack-value", Param::kListValue},
    {"hll-sparse-max-bytes", Param::kHllSparseMax},
    {"notify-keyspace-events", Param::kNotify},
    {"slowlog-log-slower-than", Param::kSlowlogSlowerThan},
    {"slowlog-max-len", Param::kSlowlogMaxLen},
    {"latency-monitor-threshold", Param::kLatencyThreshold},
    {"busy-reply-threshold", Param::kBusyReplyThreshold},
    {"lua-time-limit", Param::kBusyReplyThreshold},
};

// Server-wide parameters: readable, never settable by a tenant.
constexpr std::pair<std::string_view, std::string_view> kServerParams[] = {
    {"databases", "16"},   {"port", ""},        {"bind", ""},         {"dir", ""},
    {"dbfilename", ""},    {"appendonly", ""},  {"appendfsync", ""},  {"save", ""},
    {"requirepass", ""},   {"masterauth", ""},  {"daemonize", "no"},  {"logfile", ""},
    {"loglevel", ""},      {"maxclients", ""},  {"timeout", "0"},     {"io-threads", ""},
    {"protected-mode", ""}, {"tcp-backlog", ""}, {"unixsocket", ""},  {"tcp-keepalive", ""},
    {"replicaof", ""},     {"cluster-enabled", "no"}, {"rename-command", ""},
    {"enable-debug-command", "no"},
};

std::string Get(const Instance& inst, Param p) {
  const InstanceConfig& cfg = inst.config();
  switch (p) {
    case Param::kMaxmemory:
      return std::to_string(cfg.maxmemory);
    case Param::kPolicy:
      return std::string(PolicyName(cfg.policy));
    case Param::kSamples:
      return std::to_string(cfg.maxmemory_samples);
    case Param::kLfuLog:
      return std::to_string(cfg.lfu_log_factor);
    case Param::kLfuDecay:
      return std::to_string(cfg.lfu_decay_time);
    case Param::kHashEntries:
      return std::to_string(cfg.limits.hash_listpack_entries);
    case Param::kHashValue:
      return std::to_string(cfg.limits.hash_listpack_value);
    case Param::kSetInts:
      return std::to_string(cfg.limits.set_intset_entries);
    case Param::kZsetEntries:
      return std::to_string(cfg.limits.zset_listpack_entries);
    case Param::kZsetValue:
      return std::to_string(cfg.limits.zset_listpack_value);
    case Param::kListEntries:
      return std::to_string(cfg.limits.list_listpack_entries);
    case Param::kListValue:
      return std::to_string(cfg.limits.list_listpack_value);
    case Param::kHllSparseMax:
      return std::to_string(cfg.limits.hll_sparse_max_bytes);
    case Param::kNotify:
      return "";
    case Param::kSlowlogSlowerThan:
      return std::to_string(cfg.command_log.slower_than_us);
    case Param::kSlowlogMaxLen:
      return std::to_string(cfg.command_log.max_len);
    case Param::kLatencyThreshold:
      return std::to_string(cfg.command_log.latency_threshold_ms);
    case Param::kBusyReplyThreshold:
      return std::to_string(cfg.busy_reply_threshold_ms);
  }
  return "";
}

// Applies one value to `cfg`; returns an error message ("" on success).
std::string Set(InstanceConfig* cfg, Param p, std::string_view name, std::string_view v) {
  std::string bad_int =
      "ERR Invalid argument '" + std::string(v) + "' for CONFIG SET '" + std::string(name) +
      "' - argument couldn't be parsed into an integer";
  int64_t n = 0;
  if (p == Param::kMaxmemory) {
    if (!ParseMemory(v, &n)) {
      return bad_int;
    }
    cfg->maxmemory = n;
    return "";
  }
  if (p == Param::kPolicy) {
    if (!ParsePolicy(v, &cfg->policy)) {
      return "ERR Invalid argument '" + std::string(v) + "' for CONFIG SET '" + std::string(name) +
             "' - argument(s) must be one of the following: volatile-lru, volatile-lfu, "
             "volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction";
    }
    return "";
  }
  if (p == Param::kNotify) {
    return "";
  }
  if (p == Param::kSlowlogSlowerThan) {  // negative disables, so it has its own range
    if (!ParseInt(v, &n)) {
      return bad_int;
    }
    cfg->command_log.slower_than_us = n;
    return "";
  }
  if (p == Param::kBusyReplyThreshold) {  // milliseconds, Redis' range (0..LLONG_MAX)
    if (!ParseInt(v, &n) || n < 0) {
      return bad_int;
    }
    cfg->busy_reply_threshold_ms = n;
    return "";
  }
  if (!ParseInt(v, &n) || n < 0 || n > UINT32_MAX) {
    return bad_int;
  }
  uint32_t u = static_cast<uint32_t>(n);
  bool small = p == Param::kHashValue || p == Param::kZsetValue || p == Param::kListValue;
  if (small && u > 255) {
    return "ERR Invalid argument '" + std::string(v) + "' for CONFIG SET '" + std::string(name) +
           "' - argument must be between 0 and 255 inclusive";
  }
  switch (p) {
    case Param::kSamples:
      if (u < 1 || u > 64) {
        return "ERR Invalid argument '" + std::string(v) + "' for CONFIG SET '" +
               std::string(name) + "' - argument must be between 1 and 64 inclusive";
      }
      cfg->maxmemory_samples = u;
      break;
    case Param::kLfuLog:
      cfg->lfu_log_factor = u;
      break;
    case Param::kLfuDecay:
      cfg->lfu_decay_time = u;
      break;
    case Param::kHashEntries:
      cfg->limits.hash_listpack_entries = u;
      break;
    case Param::kHashValue:
      cfg->limits.hash_listpack_value = u;
      break;
    case Param::kSetInts:
      cfg->limits.set_intset_entries = u;
      break;
    case Param::kZsetEntries:
      cfg->limits.zset_listpack_entries = u;
      break;
    case Param::kZsetValue:
      cfg->limits.zset_listpack_value = u;
      break;
    case Param::kListEntries:
      cfg->limits.list_listpack_entries = u;
      break;
    case Param::kListValue:
      cfg->limits.list_listpack_value = u;
      break;
    case Param::kHllSparseMax:
      cfg->limits.hll_sparse_max_bytes = u;
      break;
    case Param::kSlowlogMaxLen:
      cfg->command_log.max_len = u;
      break;
    case Param::kLatencyThreshold:
      cfg->command_log.latency_threshold_ms = u;
      break;
    default:
      break;
  }
  return "";
}

}  // namespace

bool ParseMemory(std::string_view s, int64_t* out) {
  size_t i = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
    i++;
  }
  int64_t base;
  if (i == 0 || !ParseInt(s.substr(0, i), &base)) {
    return false;
  }
  std::string unit(s.substr(i));
  for (char& ch : unit) {
    ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  }
  int64_t mul = 1;
  if (unit.empty() || unit == "b") {
    mul = 1;
  } else if (unit == "k") {
    mul = 1000;
  } else if (unit == "kb") {
    mul = 1024;
  } else if (unit == "m") {
    mul = 1000 * 1000;
  } else if (unit == "mb") {
    mul = 1024 * 1024;
  } else if (unit == "g") {
    mul = 1000ll * 1000 * 1000;
  } else if (unit == "gb") {
    mul = 1024ll * 1024 * 1024;
  } else {
    return false;
  }
  *out = base * mul;
  return true;
}

void ConfigGet(CommandContext& c, CmdArgs patterns) {
  std::vector<std::pair<std::string, std::string>> out;
  auto add = [&](std::string_view name, std::string value) {
    for (const auto& [n, v] : out) {
      if (n == name) {
        return;
      }
    }
    out.emplace_back(std::string(name), std::move(value));
  };
  for (std::string_view pat : patterns) {
    for (const ParamDef& d : kParams) {
      if (GlobMatch(pat, d.name, true)) {
        add(d.name, Get(c.inst, d.p));
      }
    }
    for (const auto& [name, value] : kServerParams) {
      if (GlobMatch(pat, name, true)) {
        add(name, std::string(value));
      }
    }
  }
  c.w.MapHeader(out.size());
  for (const auto& [n, v] : out) {
    c.w.Bulk(n);
    c.w.Bulk(v);
  }
}

void ConfigSet(CommandContext& c, CmdArgs pairs) {
  InstanceConfig next = c.inst.config();
  for (size_t i = 0; i + 1 < pairs.size(); i += 2) {
    std::string name(pairs[i]);
    for (char& ch : name) {
      ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    }
    const ParamDef* def = nullptr;
    for (const ParamDef& d : kParams) {
      if (d.name == name) {
        def = &d;
      }
    }
    if (def == nullptr) {
      for (const auto& [sname, v] : kServerParams) {
        if (sname == name) {
          return c.w.Error("ERR CONFIG SET of '" + name +
                           "' is not allowed in a MiniRedis instance");
        }
      }
      return c.w.Error("ERR Unknown option or number of arguments for CONFIG SET - '" + name +
                       "'");
    }
    std::string err = Set(&next, def->p, name, pairs[i + 1]);
    if (!err.empty()) {
      return c.w.Error(err);
    }
  }
  c.inst.config() = next;
  ReplyOk(c);
}

}  // namespace mr::engine
