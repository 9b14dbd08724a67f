#include "persistence/rdb_writer.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <limits>
#include <unordered_set>
#include <vector>

#include "persistence/byte_order.h"
#include "persistence/compact_encodings.h"
#include "persistence/crc64.h"
#include "persistence/lzf.h"

namespace mr::persistence {
namespace {

constexpr size_t kFlushBytes = 64 * 1024;
constexpr size_t kMaxIntEncodedLen = 11;  // rdbTryIntegerEncoding ignores longer strings
constexpr size_t kMinCompressLen = 20;    // rdbSaveRawString compresses only longer strings
constexpr size_t kListpackOverhead = 7;   // header + end marker
constexpr size_t kMaxNodeEntries = 65535; // quicklist node counts are 16-bit

// Redis 7.0's d2string: integral values print as integers, everything else with 17 digits, which
// round-trips every double.
std::string ScoreText(double score) {
  if (std::isinf(score)) {
    return score > 0 ? "inf" : "-inf";
  }
  if (score == 0) {
    return std::signbit(score) ? "-0" : "0";
  }
  constexpr double kMin = -4503599627370495.0;  // -(2^52 - 1)
  constexpr double kMax = 4503599627370496.0;   // 2^52
  if (score > kMin && score < kMax && score == static_cast<double>(static_cast<int64_t>(score))) {
    return std::to_string(static_cast<int64_t>(score));
  }
  char buf[32];
  const int n = std::snprintf(buf, sizeof(buf), "%.17g", score);
  return std::string(buf, static_cast<size_t>(n));
}

template <typename T, typename KeyOf>
Status CheckUnique(std::span<const T> items, KeyOf key_of, std::string_view what) {
  if (items.empty()) {
    return Status::Error(std::string("empty ") + std::string(what) +
                         ": Redis does not store empty collections");
  }
  std::unordered_set<std::string_view> seen;
  seen.reserve(items.size());
  for (const T& item : items) {
    if (!seen.insert(key_of(item)).second) {
      return Status::Error(std::string("duplicate ") + std::string(what) + " member");
    }
  }
  return Status::Ok();
}

}  // namespace

RdbWriter::RdbWriter(ByteSink* sink, RdbWriterOptions options)
    : sink_(sink), options_(std::move(options)) {}

Status RdbWriter::Prepare() {
  if (!failed_.ok()) {
    return failed_;
  }
  if (finished_) {
    return Status::Error("RDB writer used after Finish");
  }
  if (started_) {
    return Status::Ok();
  }
  started_ = true;
  if (payload()) {
    return Status::Ok();  // a DUMP payload has no header
  }
  char magic[16];
  std::snprintf(magic, sizeof(magic), "REDIS%04d", kRdbVersionWritten);
  PutRaw(magic);
  const int64_t ctime = options_.ctime_seconds >= 0 ? options_.ctime_seconds : std::time(nullptr);
  // Numeric aux values go through PutString and so get integer encodings, as Redis' do.
  const std::pair<std::string_view, std::string> aux[] = {
      {"redis-ver", options_.redis_version},
      {"redis-bits", std::to_string(sizeof(void*) * 8)},
      {"ctime", std::to_string(ctime)},
      {"used-mem", std::to_string(options_.used_mem)},
      {"aof-base", "0"},
  };
  for (const auto& [field, value] : aux) {
    PutByte(kOpAux);
    PutString(field);
    PutString(value);
  }
  return Done();
}

Status RdbWriter::PrepareValue() {
  if (Status s = Prepare(); !s.ok()) {
    return s;
  }
  if (payload() && values_ > 0) {
    return Status::Error("a DUMP payload holds exactly one value");
  }
  return Status::Ok();
}

Status RdbWriter::BeginDb(uint32_t index, uint64_t keys, uint64_t expires) {
  if (Status s = Prepare(); !s.ok()) {
    return s;
  }
  if (payload()) {
    return Status::Error("a DUMP payload has no databases");
  }
  PutByte(kOpSelectDb);
  PutLength(index);
  PutByte(kOpResizeDb);
  PutLength(keys);
  PutLength(expires);
  return Done();
}

Status RdbWriter::WriteString(std::string_view key, std::string_view value, int64_t expire_ms) {
  if (Status s = PrepareValue(); !s.ok()) {
    return s;
  }
  PutKeyPrefix(RdbType::kString, key, expire_ms);
  PutString(value);
  return Done();
}

Status RdbWriter::WriteList(std::string_view key, std::span<const std::string_view> elements,
                            int64_t expire_ms) {
  if (Status s = PrepareValue(); !s.ok()) {
    return s;
  }
  if (elements.empty()) {
    return Status::Error("empty list: Redis does not store empty collections");
  }
  PutKeyPrefix(RdbType::kListQuicklist2, key, expire_ms);
  PutListNodes(elements);
  return Done();
}

void RdbWriter::PutListNodes(std::span<const std::string_view> elements) {
  // First pass finds node boundaries, so that the node count can precede the nodes without
  // holding every encoded node in memory at once.
  struct Node {
    size_t begin, end;
    bool plain;
  };
  std::vector<Node> nodes;
  size_t node_bytes = 0;
  for (size_t i = 0; i < elements.size(); ++i) {
    if (elements[i].size() >= options_.list_plain_threshold) {
      nodes.push_back({i, i + 1, true});
      continue;
    }
    const size_t entry = ListpackBuilder::EntryBytes(elements[i]);
    Node* last = nodes.empty() || nodes.back().plain ? nullptr : &nodes.back();
    if (last != nullptr && node_bytes + entry <= options_.list_max_listpack_bytes &&
        last->end - last->begin < kMaxNodeEntries) {
      last->end = i + 1;
      node_bytes += entry;
    } else {
      nodes.push_back({i, i + 1, false});
      node_bytes = kListpackOverhead + entry;
    }
  }
  PutLength(nodes.size());
  ListpackBuilder builder;
  for (const Node& node : nodes) {
    if (node.plain) {
      PutLength(kQuicklistNodePlain);
      PutString(elements[node.begin]);
      continue;
    }
    PutLength(kQuicklistNodePacked);
    for (size_t i = node.begin; i < node.end; ++i) {
      builder.Append(elements[i]);
    }
    PutString(builder.Finish());
  }
}

Status RdbWriter::WriteSet(std::string_view key, std::span<const std::string_view> members,
                           int64_t expire_ms) {
  if (Status s = PrepareValue(); !s.ok()) {
    return s;
  }
  if (Status s = CheckUnique(members, [](std::string_view m) { return m; }, "set"); !s.ok()) {
    return s;
  }
  std::vector<int64_t> ints;
  if (members.size() <= options_.set_max_intset_entries) {
    ints.reserve(members.size());
    for (std::string_view m : members) {
      int64_t v = 0;
      if (!ParseCanonicalInt64(m, &v)) {
        ints.clear();
        break;
      }
      ints.push_back(v);
    }
  }
  if (!ints.empty()) {
    std::sort(ints.begin(), ints.end());
    PutKeyPrefix(RdbType::kSetIntset, key, expire_ms);
    PutString(EncodeIntset(ints));
    return Done();
  }
  PutKeyPrefix(RdbType::kSet, key, expire_ms);
  PutLength(members.size());
  for (std::string_view m : members) {
    PutString(m);
  }
  return Done();
}

Status RdbWriter::WriteZSet(std::string_view key,
                            std::span<const std::pair<std::string_view, double>> entries,
                            int64_t expire_ms) {
  using Entry = std::pair<std::string_view, double>;
  if (Status s = PrepareValue(); !s.ok()) {
    return s;
  }
  if (Status s = CheckUnique(entries, [](const Entry& e) { return e.first; }, "sorted set");
      !s.ok()) {
    return s;
  }
  bool small = entries.size() <= options_.zset_max_listpack_entries;
  for (const Entry& e : entries) {
    if (std::isnan(e.second)) {
      return Status::Error("sorted set score is NaN");
    }
    small = small && e.first.size() <= options_.zset_max_listpack_value;
  }
  // Listpacks must be in (score, member) order; the skiplist form is saved from the highest score
  // down, like Redis, which lets its loader insert each element at the head.
  std::vector<Entry> sorted(entries.begin(), entries.end());
  std::sort(sorted.begin(), sorted.end(), [](const Entry& a, const Entry& b) {
    return a.second != b.second ? a.second < b.second : a.first < b.first;
  });
  if (small) {
    ListpackBuilder builder;
    for (const Entry& e : sorted) {
      builder.Append(e.first);
      builder.Append(ScoreText(e.second));
    }
    PutKeyPrefix(RdbType::kZSetListpack, key, expire_ms);
    PutString(builder.Finish());
    return Done();
  }
  PutKeyPrefix(RdbType::kZSet2, key, expire_ms);
  PutLength(sorted.size());
  for (auto it = sorted.rbegin(); it != sorted.rend(); ++it) {
    PutString(it->first);
    uint64_t bits = 0;
    std::memcpy(&bits, &it->second, sizeof(bits));
    std::string le;
    AppendLe(&le, bits, 8);
    PutRaw(le);
  }
  return Done();
}

Status RdbWriter::WriteHash(std::string_view key,
                            std::span<const std::pair<std::string_view, std::string_view>> fields,
                            int64_t expire_ms) {
  using Field = std::pair<std::string_view, std::string_view>;
  if (Status s = PrepareValue(); !s.ok()) {
    return s;
  }
  if (Status s = CheckUnique(fields, [](const Field& f) { return f.first; }, "hash"); !s.ok()) {
    return s;
  }
  bool small = fields.size() <= options_.hash_max_listpack_entries;
  for (const Field& f : fields) {
    small = small && f.first.size() <= options_.hash_max_listpack_value &&
            f.second.size() <= options_.hash_max_listpack_value;
  }
  if (small) {
    ListpackBuilder builder;
    for (const Field& f : fields) {
      builder.Append(f.first);
      builder.Append(f.second);
    }
    PutKeyPrefix(RdbType::kHashListpack, key, expire_ms);
    PutString(builder.Finish());
    return Done();
  }
  PutKeyPrefix(RdbType::kHash, key, expire_ms);
  PutLength(fields.size());
  for (const Field& f : fields) {
    PutString(f.first);
    PutString(f.second);
  }
  return Done();
}

Status RdbWriter::Finish() {
  if (Status s = Prepare(); !s.ok()) {
    return s;
  }
  if (payload()) {
    if (values_ != 1) {
      return Status::Error("a DUMP payload holds exactly one value");
    }
    AppendLe(&buf_, kRdbVersionWritten, 2);  // covered by the checksum, as in createDumpPayload
  } else {
    PutByte(kOpEof);
  }
  Flush();
  if (!failed_.ok()) {
    return failed_;
  }
  std::string trailer;
  // RESTORE always verifies the payload's checksum: only files may carry a zero one.
  AppendLe(&trailer, options_.checksum || payload() ? crc_ : 0, 8);
  failed_ = sink_->Write(trailer);
  flushed_ += trailer.size();
  if (failed_.ok()) {
    failed_ = sink_->Finish();
  }
  finished_ = true;
  return failed_;
}

void RdbWriter::PutKeyPrefix(RdbType type, std::string_view key, int64_t expire_ms) {
  ++values_;
  if (payload()) {
    PutByte(static_cast<uint8_t>(type));
    return;
  }
  if (expire_ms != kNoExpiry) {
    PutByte(kOpExpireTimeMs);
    std::string le;
    AppendLe(&le, static_cast<uint64_t>(expire_ms), 8);
    PutRaw(le);
  }
  PutByte(static_cast<uint8_t>(type));
  PutString(key);
}

void RdbWriter::PutLength(uint64_t len) {
  if (len < (1 << 6)) {
    PutByte(static_cast<uint8_t>(len));
  } else if (len < (1 << 14)) {
    PutByte(static_cast<uint8_t>((kLen14Bit << 6) | (len >> 8)));
    PutByte(static_cast<uint8_t>(len & 0xff));
  } else if (len <= std::numeric_limits<uint32_t>::max()) {
    PutByte(kLen32Bit);
    AppendBe(&buf_, len, 4);
  } else {
    PutByte(kLen64Bit);
    AppendBe(&buf_, len, 8);
  }
}

void RdbWriter::PutString(std::string_view s) {
  int64_t v = 0;
  if (s.size() <= kMaxIntEncodedLen && ParseCanonicalInt64(s, &v) &&
      v >= std::numeric_limits<int32_t>::min() && v <= std::numeric_limits<int32_t>::max()) {
    const size_t width = v >= -128 && v <= 127 ? 1 : v >= -32768 && v <= 32767 ? 2 : 4;
    PutByte(static_cast<uint8_t>((kLenEncoded << 6) | (width == 1 ? kEncInt8
                                                       : width == 2 ? kEncInt16
                                                                    : kEncInt32)));
    AppendLe(&buf_, static_cast<uint64_t>(v), width);
    return;
  }
  // Like rdbSaveLzfStringObject: only worth it when at least 4 bytes are saved.
  if (options_.compress && s.size() > kMinCompressLen && LzfCompress(s, s.size() - 4, &lzf_)) {
    PutByte((kLenEncoded << 6) | kEncLzf);
    PutLength(lzf_.size());
    PutLength(s.size());
    PutRaw(lzf_);
    return;
  }
  PutLength(s.size());
  PutRaw(s);
}

void RdbWriter::PutRaw(std::string_view bytes) {
  if (bytes.size() < kFlushBytes) {
    buf_.append(bytes);
    return;
  }
  // Large values bypass the buffer instead of being copied into it.
  Flush();
  if (failed_.ok()) {
    crc_ = Crc64(crc_, bytes);
    failed_ = sink_->Write(bytes);
    flushed_ += bytes.size();
  }
}

Status RdbWriter::Done() {
  if (buf_.size() >= kFlushBytes) {
    Flush();
  }
  return failed_;
}

void RdbWriter::Flush() {
  if (buf_.empty() || !failed_.ok()) {
    return;
  }
  crc_ = Crc64(crc_, buf_);
  failed_ = sink_->Write(buf_);
  flushed_ += buf_.size();
  buf_.clear();
}

}  // namespace mr::persistence
