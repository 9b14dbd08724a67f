// libFuzzer target for DUMP payloads (what RESTORE decodes). The first byte picks the mode: even,
// the rest is a payload as is (footer checks); odd, the rest is a payload body and the fuzzer adds
// a valid footer, so mutations reach the value decoder past the CRC. A decoded value must be
// handed over exactly once and survive an encode/decode round trip unchanged.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "persistence/byte_order.h"
#include "persistence/crc64.h"
#include "persistence/rdb_reader.h"
#include "persistence/rdb_writer.h"

namespace {

using mr::Status;
using mr::persistence::RdbHashFields;
using mr::persistence::RdbKey;
using mr::persistence::RdbZSetEntries;

#define FUZZ_CHECK(cond)                                                            \
  do {                                                                              \
    if (!(cond)) {                                                                  \
      std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                 \
    }                                                                               \
  } while (0)

struct Value {
  char kind = 0;  // s l S z h
  std::string str;
  std::vector<std::string> items;
  RdbZSetEntries zset;
  RdbHashFields hash;

  void Normalize() {
    if (kind == 'S') std::sort(items.begin(), items.end());
    std::sort(zset.begin(), zset.end());
    std::sort(hash.begin(), hash.end());
  }
  bool operator==(const Value& o) const {
    return kind == o.kind && str == o.str && items == o.items && zset == o.zset && hash == o.hash;
  }
};

class OneValue : public mr::persistence::RdbVisitor {
 public:
  Status OnString(RdbKey key, std::string value) override {
    Take(key, 's').str = std::move(value);
    return Status::Ok();
  }
  Status OnList(RdbKey key, std::vector<std::string> elements) override {
    FUZZ_CHECK(!elements.empty());
    Take(key, 'l').items = std::move(elements);
    return Status::Ok();
  }
  Status OnSet(RdbKey key, std::vector<std::string> members) override {
    FUZZ_CHECK(!members.empty());
    std::unordered_set<std::string> seen(members.begin(), members.end());
    FUZZ_CHECK(seen.size() == members.size());
    Take(key, 'S').items = std::move(members);
    return Status::Ok();
  }
  Status OnZSet(RdbKey key, RdbZSetEntries entries) override {
    FUZZ_CHECK(!entries.empty());
    for (const auto& e : entries) FUZZ_CHECK(!std::isnan(e.second));
    Take(key, 'z').zset = std::move(entries);
    return Status::Ok();
  }
  Status OnHash(RdbKey key, RdbHashFields fields) override {
    FUZZ_CHECK(!fields.empty());
    Take(key, 'h').hash = std::move(fields);
    return Status::Ok();
  }

  int calls = 0;
  Value value;

 private:
  Value& Take(const RdbKey& key, char kind) {
    FUZZ_CHECK(key.name.empty() && key.db == 0 && key.expire_ms == mr::persistence::kNoExpiry);
    ++calls;
    value = Value();
    value.kind = kind;
    return value;
  }
};

std::string Encode(const Value& v) {
  std::string out;
  mr::persistence::StringSink sink(&out);
  mr::persistence::RdbWriterOptions options;
  options.framing = mr::persistence::RdbFraming::kDumpPayload;
  mr::persistence::RdbWriter w(&sink, options);
  std::vector<std::string_view> items(v.items.begin(), v.items.end());
  std::vector<std::pair<std::string_view, double>> zset(v.zset.begin(), v.zset.end());
  std::vector<std::pair<std::string_view, std::string_view>> hash(v.hash.begin(), v.hash.end());
  Status s = v.kind == 's'   ? w.WriteString("", v.str)
             : v.kind == 'l' ? w.WriteList("", items)
             : v.kind == 'S' ? w.WriteSet("", items)
             : v.kind == 'z' ? w.WriteZSet("", zset)
                             : w.WriteHash("", hash);
  FUZZ_CHECK(s.ok());
  FUZZ_CHECK(w.Finish().ok());
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string payload(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] & 1) {
    mr::persistence::AppendLe(&payload, mr::persistence::kRdbVersionWritten, 2);
    mr::persistence::AppendLe(&payload, mr::persistence::Crc64(0, payload), 8);
  }
  OneValue got;
  const auto report = mr::persistence::DecodeDumpPayload(payload, &got);
  FUZZ_CHECK(got.calls <= 1);
  FUZZ_CHECK(report.ok() == (got.calls == 1));
  FUZZ_CHECK(report.ok() || !report.detail.empty());
  if (!report.ok()) return 0;

  OneValue again;
  const auto report2 = mr::persistence::DecodeDumpPayload(Encode(got.value), &again);
  FUZZ_CHECK(report2.ok());
  got.value.Normalize();
  again.value.Normalize();
  FUZZ_CHECK(again.value == got.value);
  return 0;
}
