// Test support for snapshot and DUMP/RESTORE tests: a canonical text view of a keyspace read
// through commands only, so an engine instance and a live redis-server can be compared.
#pragma once

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include "engine/server/engine_test_base.h"

namespace mr::engine::testing {

/// Runs one command and returns the decoded reply (engine Dispatch or a socket to redis-server).
using Runner = std::function<RespValue(const std::vector<std::string>&)>;

inline Runner EngineRunner(Instance& inst, Session& session) {
  return [&inst, &session](const std::vector<std::string>& args) {
    std::vector<std::string_view> views(args.begin(), args.end());
    std::string out;
    resp::Writer w(&out, session.protocol);
    Dispatch(inst, session, views, w);
    size_t pos = 0;
    return out.empty() ? RespValue{} : ParseResp(out, &pos);
  };
}

inline std::string Hex(std::string_view s) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

/// "type value..." of one key, values hex-encoded; sets and hashes sorted, zsets in rank order.
inline std::string ValueView(const Runner& run, const std::string& key) {
  const std::string type = run({"TYPE", key}).str;
  std::vector<std::string> parts;
  auto add_all = [&](const RespValue& v, size_t stride) {
    for (size_t i = 0; i + stride <= v.arr.size(); i += stride) {
      std::string p = Hex(v.arr[i].str);
      if (stride == 2) {
        p += "=" + (type == "zset" ? v.arr[i + 1].str : Hex(v.arr[i + 1].str));
      }
      parts.push_back(p);
    }
  };
  if (type == "string") {
    parts.push_back(Hex(run({"GET", key}).str));
  } else if (type == "list") {
    add_all(run({"LRANGE", key, "0", "-1"}), 1);
  } else if (type == "set") {
    add_all(run({"SMEMBERS", key}), 1);
  } else if (type == "zset") {
    add_all(run({"ZRANGE", key, "0", "-1", "WITHSCORES"}), 2);
  } else if (type == "hash") {
    add_all(run({"HGETALL", key}), 2);
  }
  if (type == "set" || type == "hash") {
    std::sort(parts.begin(), parts.end());
  }
  std::string out = type;
  for (const std::string& p : parts) {
    out += " " + p;
  }
  return out;
}

/// Every key of database `db`, sorted: "encoding|hexkey pexpiretime type values".
inline std::vector<std::string> DbView(const Runner& run, int db, bool with_encoding = true) {
  run({"SELECT", std::to_string(db)});
  std::vector<std::string> lines;
  for (const RespValue& k : run({"KEYS", "*"}).arr) {
    std::string line = with_encoding ? run({"OBJECT", "ENCODING", k.str}).str + "|" : "";
    line += Hex(k.str) + " " + std::to_string(run({"PEXPIRETIME", k.str}).i) + " " +
            ValueView(run, k.str);
    lines.push_back(line);
  }
  std::sort(lines.begin(), lines.end());
  run({"SELECT", "0"});
  return lines;
}

/// DbView of every database that has keys, keyed by index.
inline std::vector<std::pair<int, std::vector<std::string>>> KeyspaceView(const Runner& run,
                                                                          bool with_encoding =
                                                                              true) {
  std::vector<std::pair<int, std::vector<std::string>>> out;
  for (int db = 0; db < Instance::kDatabases; ++db) {
    std::vector<std::string> lines = DbView(run, db, with_encoding);
    if (!lines.empty()) {
      out.emplace_back(db, std::move(lines));
    }
  }
  return out;
}

/// Commands that build one key of every type in each encoding Redis 7.0 has (defaults: 128-entry
/// listpacks, 512-entry intsets, 64-byte listpack values). TTLs are absolute, from `now_ms`, so
/// two servers filled at slightly different times hold the same expiry times.
inline std::vector<std::vector<std::string>> EveryEncodingCommands(int64_t now_ms) {
  auto at = [now_ms](int64_t ttl_ms) { return std::to_string(now_ms + ttl_ms); };
  std::vector<std::vector<std::string>> cmds = {
      {"SET", "str:int", "12345"},
      {"SET", "str:neg", "-9223372036854775808"},
      {"SET", "str:zeros", "007"},
      {"SET", "str:emb", "hello world"},
      {"SET", "str:empty", ""},
      {"SET", "str:raw", std::string(300, 'r') + "tail"},
      {"SET", "str:bin", std::string("a\0b\r\n\xff", 6)},
      {"SET", "str:ttl", "v"},
      {"PEXPIREAT", "str:ttl", at(3600000)},
      {"RPUSH", "list:small", "a", "1", "-2", "", std::string("\0x", 2)},
      {"RPUSH", "list:bigelem", "x", std::string(10000, 'y'), "z"},
      {"SADD", "set:intset", "1", "-5", "9223372036854775807", "0"},
      {"SADD", "set:strings", "a", "b", "007", ""},
      {"ZADD", "zset:small", "1.5", "a", "-inf", "b", "inf", "c", "0", "d", "0.1", "e"},
      {"ZADD", "zset:longmember", "1", std::string(100, 'm'), "2", "s"},
      {"HSET", "hash:small", "f", "v", "n", "123", "", ""},
      {"HSET", "hash:longvalue", "f", std::string(100, 'v')},
      {"PEXPIREAT", "hash:small", at(7200000)},
  };
  std::vector<std::string> big_list = {"RPUSH", "list:large"};
  std::vector<std::string> ints = {"SADD", "set:ints600"};
  std::vector<std::string> zset = {"ZADD", "zset:large"};
  std::vector<std::string> hash = {"HSET", "hash:large"};
  for (int i = 0; i < 600; ++i) {
    big_list.push_back(i % 2 ? std::to_string(i * 31) : "e" + std::to_string(i));
    ints.push_back(std::to_string(i * 7 - 300));
    if (i < 200) {
      zset.push_back(std::to_string(i / 7.0));
      zset.push_back("member:" + std::to_string(i));
    }
    hash.push_back("field:" + std::to_string(i));
    hash.push_back("value:" + std::to_string(i * 13));
  }
  cmds.push_back(big_list);
  cmds.push_back(ints);
  cmds.push_back(zset);
  cmds.push_back(hash);
  cmds.push_back({"PEXPIREAT", "list:large", at(9000000)});
  return cmds;
}

}  // namespace mr::engine::testing
