// libFuzzer target for the RDB reader: besides memory errors (ASan/UBSan), checks the report's
// invariants and the visitor contract, and that a cleanly read file survives a write/read cycle.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "persistence/rdb_reader.h"
#include "persistence/rdb_writer.h"

namespace {

using mr::Status;
using mr::persistence::ChecksumState;
using mr::persistence::LoadReport;
using mr::persistence::RdbHashFields;
using mr::persistence::RdbKey;
using mr::persistence::RdbVisitor;
using mr::persistence::RdbZSetEntries;

// Fuzzing builds may define NDEBUG; these checks must stay on.
#define FUZZ_CHECK(cond)                                                            \
  do {                                                                              \
    if (!(cond)) {                                                                  \
      std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                 \
    }                                                                               \
  } while (0)

struct Key {
  RdbKey key;
  char kind = 's';
  std::string str;
  std::vector<std::string> items;
  RdbZSetEntries zset;
  RdbHashFields hash;

  // Sets and hashes have no order; sorted sets are compared as (member, score) sets.
  void Normalize() {
    if (kind == 'S') std::sort(items.begin(), items.end());
    std::sort(zset.begin(), zset.end());
    std::sort(hash.begin(), hash.end());
  }
  bool SameAs(const Key& o) const {
    return key.db == o.key.db && key.name == o.key.name && key.expire_ms == o.key.expire_ms &&
           kind == o.kind && str == o.str && items == o.items && zset == o.zset && hash == o.hash;
  }
};

template <typename T, typename F>
void CheckUnique(const std::vector<T>& v, F member) {
  FUZZ_CHECK(!v.empty());
  std::unordered_set<std::string_view> seen;
  for (const T& x : v) FUZZ_CHECK(seen.insert(member(x)).second);
}

class Collector : public RdbVisitor {
 public:
  Status OnString(RdbKey key, std::string value) override {
    Key& k = Add(std::move(key), 's');
    k.str = std::move(value);
    return Status::Ok();
  }
  Status OnList(RdbKey key, std::vector<std::string> elements) override {
    FUZZ_CHECK(!elements.empty());
    Add(std::move(key), 'l').items = std::move(elements);
    return Status::Ok();
  }
  Status OnSet(RdbKey key, std::vector<std::string> members) override {
    CheckUnique(members, [](const std::string& m) -> std::string_view { return m; });
    Add(std::move(key), 'S').items = std::move(members);
    return Status::Ok();
  }
  Status OnZSet(RdbKey key, RdbZSetEntries entries) override {
    CheckUnique(entries, [](const auto& e) -> std::string_view { return e.first; });
    for (const auto& e : entries) FUZZ_CHECK(!std::isnan(e.second));
    Add(std::move(key), 'z').zset = std::move(entries);
    return Status::Ok();
  }
  Status OnHash(RdbKey key, RdbHashFields fields) override {
    CheckUnique(fields, [](const auto& f) -> std::string_view { return f.first; });
    Add(std::move(key), 'h').hash = std::move(fields);
    return Status::Ok();
  }

  std::vector<Key> keys;

 private:
  Key& Add(RdbKey key, char kind) {
    keys.emplace_back();
    keys.back().key = std::move(key);
    keys.back().kind = kind;
    return keys.back();
  }
};

void CheckReport(const LoadReport& r, size_t size, const Collector& c) {
  FUZZ_CHECK(r.bytes_consumed <= size);
  FUZZ_CHECK(r.keys_loaded == c.keys.size());
  FUZZ_CHECK(r.skipped.size() <= LoadReport::kMaxSkippedDetails);
  uint64_t skipped_items = 0;
  for (const auto& [type, n] : r.skipped_by_type) skipped_items += n;
  FUZZ_CHECK(skipped_items >= r.keys_skipped);
  FUZZ_CHECK(r.skipped.size() == std::min<uint64_t>(skipped_items, LoadReport::kMaxSkippedDetails));
  if (r.checksum_ok) {
    FUZZ_CHECK(r.checksum == ChecksumState::kVerified || r.checksum == ChecksumState::kDisabled ||
               r.checksum == ChecksumState::kAbsent);
  }
  if (r.clean()) {
    FUZZ_CHECK(r.error.empty());
  }
}

// Writes what was read and reads it again: the values must come back unchanged.
void CheckRewrite(std::vector<Key> keys) {
  std::string dump;
  mr::persistence::StringSink sink(&dump);
  mr::persistence::RdbWriter writer(&sink);
  uint32_t db = UINT32_MAX;
  for (const Key& k : keys) {
    if (k.key.db != db) {
      db = k.key.db;
      FUZZ_CHECK(writer.BeginDb(db, 0, 0).ok());
    }
    std::vector<std::string_view> items(k.items.begin(), k.items.end());
    std::vector<std::pair<std::string_view, double>> zset(k.zset.begin(), k.zset.end());
    std::vector<std::pair<std::string_view, std::string_view>> hash(k.hash.begin(), k.hash.end());
    const int64_t exp = k.key.expire_ms;
    Status s = k.kind == 's'   ? writer.WriteString(k.key.name, k.str, exp)
               : k.kind == 'l' ? writer.WriteList(k.key.name, items, exp)
               : k.kind == 'S' ? writer.WriteSet(k.key.name, items, exp)
               : k.kind == 'z' ? writer.WriteZSet(k.key.name, zset, exp)
                               : writer.WriteHash(k.key.name, hash, exp);
    FUZZ_CHECK(s.ok());
  }
  FUZZ_CHECK(writer.Finish().ok());
  Collector again;
  const LoadReport r = mr::persistence::ReadRdb(dump, &again);
  FUZZ_CHECK(r.clean());
  FUZZ_CHECK(again.keys.size() == keys.size());
  for (size_t i = 0; i < keys.size(); ++i) {
    keys[i].Normalize();
    again.keys[i].Normalize();
    FUZZ_CHECK(again.keys[i].SameAs(keys[i]));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  Collector collector;
  const LoadReport report = mr::persistence::ReadRdb(input, &collector);
  CheckReport(report, size, collector);
  // A wrong checksum still means the whole file parsed, which is what the rewrite check needs (and
  // mutated inputs almost never keep a valid checksum).
  if (report.error.empty() || report.checksum == ChecksumState::kMismatch) {
    CheckRewrite(std::move(collector.keys));
  }
  return 0;
}
