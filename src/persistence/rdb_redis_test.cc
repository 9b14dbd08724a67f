// Compatibility with real Redis 7.0: dumps saved by redis-server are read back value by value
// (import), and dumps written here are loaded by redis-server and checked through redis-cli
// (export). Both directions use one model of the data and one canonical text form of it.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "persistence/compact_encodings.h"
#include "persistence/rdb_reader.h"
#include "persistence/rdb_test_util.h"
#include "persistence/rdb_writer.h"
#include "persistence/redis_process.h"

namespace mr::persistence {
namespace {

using testing::CollectingVisitor;
using testing::LoadedKey;
using testing::RedisProcess;
using testing::RespCommand;
using Strings = std::vector<std::string>;

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr size_t kPlainThreshold = 16 * 1024;  // elements this large get a PLAIN quicklist node

struct ModelKey {
  uint32_t db = 0;
  std::string name;
  std::string kind;  // "string", "list", "set", "zset", "hash"
  std::string str;
  Strings items;
  RdbZSetEntries zset;
  RdbHashFields hash;
  int64_t expire_ms = kNoExpiry;
  std::string encoding;  // what OBJECT ENCODING must say (empty: not checked)
};

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string Noise(size_t n, uint32_t seed) {
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    seed = seed * 1103515245 + 12345;
    out.push_back(static_cast<char>(seed >> 24));
  }
  return out;
}

std::string Hex(std::string_view s) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

std::string ScoreReply(double d) {  // Redis 7.0's RESP2 double reply
  if (std::isinf(d)) return d > 0 ? "inf" : "-inf";
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.17g", d);
  return buf;
}

void AddCollections(int64_t later, std::vector<ModelKey>* out);

// Every type, small and large, so that each Redis 7.0 encoding appears; three databases; TTLs.
std::vector<ModelKey> BuildModel() {
  std::vector<ModelKey> m;
  const int64_t later = NowMs() + 3600 * 1000;
  auto str = [&](uint32_t db, std::string name, std::string value, int64_t ttl = kNoExpiry) {
    m.push_back({db, std::move(name), "string", std::move(value), {}, {}, {}, ttl, ""});
  };
  str(0, "str:int", "12345");
  str(0, "str:neg", "-42");
  str(0, "str:int64min", "-9223372036854775808");
  str(0, "str:int64max", "9223372036854775807");
  str(0, "str:zeros", "007");
  str(0, "str:float", "3.14");
  str(0, "str:empty", "");
  str(0, "str:nul", std::string("a\0b\0\r\n", 6));
  str(0, "str:lzf", std::string(100, 'a') + "tail");
  str(0, "str:noise", Noise(1000, 7));
  str(0, "str:big", [] {
    std::string s;
    for (int i = 0; s.size() < 1024 * 1024; ++i) s += "line " + std::to_string(i) + "\n";
    return s;
  }());
  str(0, "str:ttl", "expiring", later + 1);
  str(0, std::string("key\0with nul", 12), "v");

  auto list = [&](uint32_t db, std::string name, Strings items, int64_t ttl = kNoExpiry) {
    m.push_back({db, std::move(name), "list", "", std::move(items), {}, {}, ttl, "quicklist"});
  };
  list(0, "list:small", {"a", "1", "-2", "", std::string("\0x", 2), "a"});
  Strings many;
  for (int i = 0; i < 5000; ++i) many.push_back(i % 2 ? std::to_string(i * 31) : "e" + Noise(5, i));
  list(0, "list:large", many, later + 2);
  list(0, "list:bigelem", {"x", std::string(10000, 'y'), "z"});
  list(0, "list:plain", {"p", std::string(kPlainThreshold + 100, 'q'), Noise(kPlainThreshold, 3)});

  str(1, "db1:str", "one", later + 4);
  list(1, "db1:list", {"l1", "l2"});
  AddCollections(later, &m);
  return m;
}

// Sets, sorted sets and hashes on both sides of every encoding threshold.
void AddCollections(int64_t later, std::vector<ModelKey>* out) {
  std::vector<ModelKey>& m = *out;
  auto set = [&](uint32_t db, std::string name, Strings items, std::string enc) {
    m.push_back({db, std::move(name), "set", "", std::move(items), {}, {}, kNoExpiry, enc});
  };
  Strings ints = {"-9223372036854775808", "9223372036854775807", "0", "-1"};
  for (int i = 0; i < 100; ++i) ints.push_back(std::to_string(i * 977 - 40000));
  set(0, "set:intset", ints, "intset");
  Strings ints600;
  for (int i = 0; i < 600; ++i) ints600.push_back(std::to_string(i));
  set(0, "set:ints600", ints600, "hashtable");
  set(0, "set:strings", {"a", "b", "", std::string("\0", 1), "007", std::string(300, 's')},
      "hashtable");

  auto zset = [&](uint32_t db, std::string name, RdbZSetEntries e, std::string enc) {
    m.push_back({db, std::move(name), "zset", "", {}, std::move(e), {}, kNoExpiry, enc});
  };
  zset(0, "zset:small",
       {{"inf", kInf}, {"-inf", -kInf}, {"zero", 0}, {"tenth", 0.1}, {"int", 3}, {"neg", -2.5},
        {"tiny", 1e-300}, {"huge", 1.7976931348623157e308}, {std::string("b\0in", 4), 42}},
       "listpack");
  RdbZSetEntries large;
  for (int i = 0; i < 200; ++i) large.emplace_back("member:" + std::to_string(i), i / 7.0);
  zset(0, "zset:large", large, "skiplist");
  zset(0, "zset:longmember", {{std::string(100, 'L'), 1}, {"s", 2}}, "skiplist");

  auto hash = [&](uint32_t db, std::string name, RdbHashFields f, std::string enc,
                  int64_t ttl = kNoExpiry) {
    m.push_back({db, std::move(name), "hash", "", {}, {}, std::move(f), ttl, enc});
  };
  hash(0, "hash:small", {{"f", "v"}, {"n", "123"}, {"", ""}, {std::string("\0", 1), "nul"}},
       "listpack");
  RdbHashFields fields;
  for (int i = 0; i < 600; ++i) fields.emplace_back("field:" + std::to_string(i), Noise(10, i));
  hash(0, "hash:large", fields, "hashtable", later + 3);
  hash(0, "hash:longvalue", {{"f", std::string(100, 'v')}}, "hashtable");

  hash(1, "db1:hash", {{"a", "b"}}, "listpack", later + 5);
  set(5, "db5:set", {"1", "2", "3"}, "intset");
  zset(5, "db5:zset", {{"only", -0.5}}, "listpack");
}

// Canonical text of one key: hex name, expiry, type, then values (sets and hashes sorted).
std::string Canonical(const std::string& name, int64_t expire_ms, const std::string& kind,
                      const std::string& str, const Strings& items, const RdbZSetEntries& zset,
                      const RdbHashFields& hash) {
  std::vector<std::string> parts;
  if (kind == "string") {
    parts.push_back(Hex(str));
  } else if (kind == "list" || kind == "set") {
    for (const auto& i : items) parts.push_back(Hex(i));
  } else if (kind == "zset") {
    RdbZSetEntries sorted = zset;
    std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
      return a.second != b.second ? a.second < b.second : a.first < b.first;
    });
    for (const auto& [member, score] : sorted) parts.push_back(Hex(member) + "=" + ScoreReply(score));
  } else {
    for (const auto& [f, v] : hash) parts.push_back(Hex(f) + "=" + Hex(v));
  }
  if (kind == "set" || kind == "hash") std::sort(parts.begin(), parts.end());
  std::string out = Hex(name) + " " + std::to_string(expire_ms) + " " + kind;
  for (const auto& p : parts) out += " " + p;
  return out;
}

std::string Canonical(const ModelKey& k) {
  return Canonical(k.name, k.expire_ms, k.kind, k.str, k.items, k.zset, k.hash);
}

std::string Canonical(const LoadedKey& k) {
  return Canonical(k.key.name, k.key.expire_ms, k.kind, k.str, k.items, k.zset, k.hash);
}

// Lua that prints every key of the current database in Canonical's form, plus its encoding.
constexpr const char* kDumpScript = R"lua(
local function hex(s)
  return (string.gsub(s, '.', function(c) return string.format('%02x', string.byte(c)) end))
end
local lines = {}
for _, key in ipairs(redis.call('KEYS', '*')) do
  local t = redis.call('TYPE', key).ok
  local parts = {}
  if t == 'string' then
    parts[1] = hex(redis.call('GET', key))
  elseif t == 'list' then
    for _, v in ipairs(redis.call('LRANGE', key, 0, -1)) do parts[#parts + 1] = hex(v) end
  elseif t == 'set' then
    for _, v in ipairs(redis.call('SMEMBERS', key)) do parts[#parts + 1] = hex(v) end
    table.sort(parts)
  elseif t == 'zset' then
    local r = redis.call('ZRANGE', key, 0, -1, 'WITHSCORES')
    for i = 1, #r, 2 do parts[#parts + 1] = hex(r[i]) .. '=' .. r[i + 1] end
  elseif t == 'hash' then
    local r = redis.call('HGETALL', key)
    for i = 1, #r, 2 do parts[#parts + 1] = hex(r[i]) .. '=' .. hex(r[i + 1]) end
    table.sort(parts)
  end
  local line = redis.call('OBJECT', 'ENCODING', key) .. '|' .. hex(key) .. ' ' ..
               redis.call('PEXPIRETIME', key) .. ' ' .. t
  for _, p in ipairs(parts) do line = line .. ' ' .. p end
  lines[#lines + 1] = line
end
table.sort(lines)
return table.concat(lines, '\n')
)lua";

// db -> sorted "encoding|canonical" lines, as the live server sees its data.
std::map<uint32_t, Strings> ServerView(const RedisProcess& redis, const std::set<uint32_t>& dbs) {
  std::map<uint32_t, Strings> view;
  for (uint32_t db : dbs) {
    auto out = redis.Cli({"-n", std::to_string(db), "--raw", "EVAL", kDumpScript, "0"});
    EXPECT_TRUE(out.ok()) << out.error();
    std::stringstream lines(out.ok() ? *out : "");
    std::string line;
    while (std::getline(lines, line)) {
      if (!line.empty()) view[db].push_back(line);
    }
  }
  return view;
}

std::map<uint32_t, Strings> ModelView(const std::vector<ModelKey>& model) {
  std::map<uint32_t, Strings> view;
  for (const ModelKey& k : model) {
    std::string enc = k.encoding;
    if (k.kind == "string") {  // Redis' own choice; not what this test is about
      int64_t v = 0;
      enc = ParseCanonicalInt64(k.str, &v) ? "int" : k.str.size() <= 44 ? "embstr" : "raw";
    }
    view[k.db].push_back(enc + "|" + Canonical(k));
  }
  for (auto& [db, lines] : view) std::sort(lines.begin(), lines.end());
  return view;
}

std::set<uint32_t> DbsOf(const std::vector<ModelKey>& model) {
  std::set<uint32_t> dbs;
  for (const auto& k : model) dbs.insert(k.db);
  return dbs;
}

std::string FreshDir(const std::string& tag) {
  const std::string dir = ::testing::TempDir() + "/rdb-" + tag + "-" + std::to_string(getpid());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

// The fill: RESP commands for redis-cli --pipe.
std::string FillCommands(const std::vector<ModelKey>& model) {
  std::string out = RespCommand({"FLUSHALL"});
  for (const ModelKey& k : model) {
    out += RespCommand({"SELECT", std::to_string(k.db)});
    auto batch = [&](std::string cmd, const std::vector<std::string_view>& args) {
      for (size_t i = 0; i < args.size(); i += 1000) {
        std::vector<std::string_view> c = {cmd, k.name};
        c.insert(c.end(), args.begin() + i, args.begin() + std::min(args.size(), i + 1000));
        out += RespCommand(c);
      }
    };
    std::vector<std::string_view> args;
    std::vector<std::string> scores;
    if (k.kind == "string") {
      out += RespCommand({"SET", k.name, k.str});
    } else if (k.kind == "list" || k.kind == "set") {
      args.assign(k.items.begin(), k.items.end());
      batch(k.kind == "list" ? "RPUSH" : "SADD", args);
    } else if (k.kind == "zset") {
      for (const auto& [member, score] : k.zset) {
        scores.push_back(std::isinf(score) ? (score > 0 ? "+inf" : "-inf") : ScoreReply(score));
      }
      for (size_t i = 0; i < k.zset.size(); ++i) {
        args.push_back(scores[i]);
        args.push_back(k.zset[i].first);
      }
      batch("ZADD", args);
    } else {
      for (const auto& [f, v] : k.hash) {
        args.push_back(f);
        args.push_back(v);
      }
      batch("HSET", args);
    }
    if (k.expire_ms != kNoExpiry) {
      out += RespCommand({"PEXPIREAT", k.name, std::to_string(k.expire_ms)});
    }
  }
  return out;
}

RdbType ExpectedRdbType(const ModelKey& k) {
  if (k.kind == "string") return RdbType::kString;
  if (k.kind == "list") return RdbType::kListQuicklist2;
  if (k.kind == "set") return k.encoding == "intset" ? RdbType::kSetIntset : RdbType::kSet;
  if (k.kind == "zset") return k.encoding == "listpack" ? RdbType::kZSetListpack : RdbType::kZSet2;
  return k.encoding == "listpack" ? RdbType::kHashListpack : RdbType::kHash;
}

// Redis saves; this library reads every value back.
TEST(RdbWithRealRedis, ImportsWhatRedisSaves) {
  const std::string dir = FreshDir("import");
  auto redis = RedisProcess::Start(
      dir, "dump.rdb", {"--enable-debug-command", "local", "--maxmemory-policy", "allkeys-lru"});
  ASSERT_TRUE(redis.ok()) << redis.error();
  const std::vector<ModelKey> model = BuildModel();
  // Plain quicklist nodes only appear above this threshold (1 GB by default).
  ASSERT_TRUE((*redis)->Cli({"DEBUG", "QUICKLIST-PACKED-THRESHOLD",
                             std::to_string(kPlainThreshold)}).ok());
  ASSERT_TRUE((*redis)->Pipe(FillCommands(model)).ok());
  // The live data must match the model before the dump is judged against it.
  EXPECT_EQ(ServerView(**redis, DbsOf(model)), ModelView(model))
      << "Redis did not store the model as expected";
  // Things the reader must step over and report: a stream with a consumer group and pending
  // entries, and a function library.
  std::string extra = RespCommand({"SELECT", "0"});
  for (int i = 0; i < 3; ++i) {
    extra += RespCommand({"XADD", "stream:s", "*", "field", std::to_string(i)});
  }
  extra += RespCommand({"XGROUP", "CREATE", "stream:s", "g1", "0"});
  extra += RespCommand({"XREADGROUP", "GROUP", "g1", "alice", "COUNT", "2", "STREAMS", "stream:s",
                        ">"});
  extra += RespCommand({"FUNCTION", "LOAD",
                        "#!lua name=mylib\nredis.register_function('f', function() return 1 end)"});
  ASSERT_TRUE((*redis)->Pipe(extra).ok());
  ASSERT_TRUE((*redis)->Cli({"SAVE"}).ok());

  CollectingVisitor visitor;
  const LoadReport report = ReadRdbFile(dir + "/dump.rdb", &visitor);
  EXPECT_TRUE(report.clean()) << report.error;
  EXPECT_EQ(report.rdb_version, 10);
  EXPECT_EQ(report.checksum, ChecksumState::kVerified);
  EXPECT_EQ(report.keys_loaded, model.size());
  EXPECT_EQ(report.keys_skipped, 1u);
  EXPECT_EQ(report.skipped_by_type.count("stream"), 1u);
  EXPECT_EQ(report.skipped_by_type.count("function-library"), 1u);
  EXPECT_EQ(visitor.aux.find("redis-ver")->second, "7.0.15");

  std::set<RdbType> seen_types;
  for (const ModelKey& k : model) {
    const LoadedKey* got = visitor.Find(k.db, k.name);
    ASSERT_NE(got, nullptr) << "missing " << k.name;
    EXPECT_EQ(Canonical(*got), Canonical(k)) << k.name;
    EXPECT_EQ(got->key.type, ExpectedRdbType(k)) << k.name;
    // allkeys-lru makes Redis save each key's idle time.
    EXPECT_TRUE(got->key.lru_idle_seconds.has_value()) << k.name;
    seen_types.insert(got->key.type);
  }
  EXPECT_EQ(seen_types.size(), 8u);  // string, quicklist2, intset, set, 2 zsets, 2 hashes
  redis.value().reset();
  if (!HasFailure()) std::filesystem::remove_all(dir);  // kept for a post-mortem otherwise
}

// This library writes; Redis loads the file (with deep payload sanitization on) and serves it.
TEST(RdbWithRealRedis, RedisLoadsWhatWeWrite) {
  const std::string dir = FreshDir("export");
  const std::vector<ModelKey> model = BuildModel();
  {
    auto sink = FileSink::Create(dir + "/ours.rdb");
    ASSERT_TRUE(sink.ok()) << sink.error();
    RdbWriterOptions options;
    options.list_plain_threshold = kPlainThreshold;
    RdbWriter writer(sink->get(), options);
    std::map<uint32_t, std::vector<const ModelKey*>> by_db;
    for (const ModelKey& k : model) by_db[k.db].push_back(&k);
    for (const auto& [db, keys] : by_db) {
      uint64_t expires = 0;
      for (const ModelKey* k : keys) expires += k->expire_ms != kNoExpiry;
      ASSERT_TRUE(writer.BeginDb(db, keys.size() + (db == 0), expires + (db == 0)).ok());
      for (const ModelKey* k : keys) {
        std::vector<std::string_view> items(k->items.begin(), k->items.end());
        std::vector<std::pair<std::string_view, double>> zset(k->zset.begin(), k->zset.end());
        std::vector<std::pair<std::string_view, std::string_view>> hash(k->hash.begin(),
                                                                        k->hash.end());
        Status s = k->kind == "string" ? writer.WriteString(k->name, k->str, k->expire_ms)
                   : k->kind == "list" ? writer.WriteList(k->name, items, k->expire_ms)
                   : k->kind == "set"  ? writer.WriteSet(k->name, items, k->expire_ms)
                   : k->kind == "zset" ? writer.WriteZSet(k->name, zset, k->expire_ms)
                                       : writer.WriteHash(k->name, hash, k->expire_ms);
        ASSERT_TRUE(s.ok()) << k->name << ": " << s.message();
      }
      if (db == 0) {  // already expired: Redis must drop it while loading
        ASSERT_TRUE(writer.WriteString("expired", "gone", 1000).ok());
      }
    }
    ASSERT_TRUE(writer.Finish().ok());
  }
  const std::string check_rdb = testing::FindOnPath("redis-check-rdb");
  ASSERT_FALSE(check_rdb.empty()) << "redis-check-rdb (package redis-tools) must be on PATH";
  auto check = testing::RunProgram({check_rdb, dir + "/ours.rdb"});
  ASSERT_TRUE(check.ok()) << check.error();
  EXPECT_NE(check->find("RDB looks OK"), std::string::npos) << *check;

  auto redis = RedisProcess::Start(dir, "ours.rdb", {"--sanitize-dump-payload", "yes"});
  ASSERT_TRUE(redis.ok()) << redis.error();
  const std::string log = (*redis)->Log();
  EXPECT_NE(log.find("Done loading RDB"), std::string::npos) << log;
  EXPECT_NE(log.find("keys expired: 1"), std::string::npos) << log;
  EXPECT_EQ(ServerView(**redis, DbsOf(model)), ModelView(model));

  // And back: Redis saves what it loaded from us, and the reader finds the model again.
  ASSERT_TRUE((*redis)->Cli({"SAVE"}).ok());
  CollectingVisitor visitor;
  const LoadReport report = ReadRdbFile(dir + "/ours.rdb", &visitor);
  EXPECT_TRUE(report.clean()) << report.error;
  EXPECT_EQ(report.keys_loaded, model.size());
  for (const ModelKey& k : model) {
    const LoadedKey* got = visitor.Find(k.db, k.name);
    ASSERT_NE(got, nullptr) << k.name;
    EXPECT_EQ(Canonical(*got), Canonical(k)) << k.name;
  }
  redis.value().reset();
  if (!HasFailure()) std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace mr::persistence
