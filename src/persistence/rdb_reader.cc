#include "persistence/rdb_reader.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <unordered_set>

#include "persistence/byte_order.h"
#include "persistence/compact_encodings.h"
#include "persistence/crc64.h"
#include "persistence/rdb_input.h"
#include "persistence/rdb_opaque.h"

namespace mr::persistence {
namespace {

constexpr size_t kMagicLen = 9;  // "REDIS" + four version digits
constexpr int kFirstVersionWithChecksum = 5;
constexpr uint64_t kMaxDbIndex = INT32_MAX;
constexpr uint64_t kMaxReserve = 1 << 16;

// Keys are binary; error messages are read by people. Escapes and shortens.
std::string Printable(std::string_view s) {
  constexpr size_t kMaxShown = 64;
  std::string out;
  for (unsigned char c : s.substr(0, kMaxShown)) {
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out.push_back(static_cast<char>(c));
    } else {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\x%02x", c);
      out += buf;
    }
  }
  return s.size() > kMaxShown ? out + "..." : out;
}

// A value in neutral form, before it goes to the visitor.
struct Value {
  std::string str;
  std::vector<std::string> items;  // list/set elements, or flattened pairs before pairing
  RdbZSetEntries zset;
  RdbHashFields hash;
};

enum class Kind { kString, kList, kSet, kZSet, kHash };

enum class Decoded {
  kOk,
  kBadValue,  // the value's bytes were consumed but do not decode: skip the key, keep reading
  kBadInput,  // the file's framing is broken: stop
};

class Reader {
 public:
  Reader(std::string_view data, RdbVisitor* visitor, const RdbReadOptions& options,
         LoadReport* report)
      : in_(data, options.max_string_bytes), visitor_(visitor), report_(report) {}

  void Run();
  void RunPayloadValue();

 private:
  bool ReadHeader();
  // One opcode or key; false when reading must stop (EOF reached or an error recorded).
  bool ReadItem();
  bool ReadMetadata(uint8_t op);  // databases, aux fields, functions, module aux data
  bool ReadKey(uint8_t type);
  bool ReadValue(uint8_t type, RdbKey key);
  bool Deliver(Kind kind, RdbKey key, Value value);
  Decoded DecodeValue(uint8_t type, Kind* kind, Value* value);
  Decoded DecodeBlobValue(uint8_t type, Kind* kind, Value* value);
  Decoded DecodeCollection(uint8_t type, Kind* kind, Value* value);
  Decoded DecodeQuicklist(uint8_t type, Value* value);
  Decoded BadValue(std::string reason);
  Decoded PairUp(Kind kind, Value* value);
  Decoded CheckValue(Kind kind, const Value& value);
  void ReadTrailer();
  void Skip(std::string key, std::string type, std::string reason, bool is_key);
  bool Stop(std::string message);

  RdbInput in_;
  RdbVisitor* visitor_;
  LoadReport* report_;
  uint32_t db_ = 0;
  RdbKey pending_;  // expiry and eviction hints seen before the next key
  std::string value_error_;
  bool done_ = false;
};

void Reader::Run() {
  if (!ReadHeader()) {
    return;
  }
  report_->bytes_consumed = in_.pos();
  while (ReadItem()) {
  }
  if (report_->error.empty() && !done_) {
    report_->error = in_.error();
  }
}

bool Reader::ReadHeader() {
  std::string_view magic;
  if (!in_.ReadFixed(kMagicLen, &magic) || magic.substr(0, 5) != "REDIS") {
    return Stop("not an RDB file: it does not start with REDIS and a version");
  }
  int version = 0;
  for (char c : magic.substr(5)) {
    if (c < '0' || c > '9') {
      return Stop("not an RDB file: bad version digits");
    }
    version = version * 10 + (c - '0');
  }
  report_->rdb_version = version;
  if (version < 1 || version > kRdbVersionMaxRead) {
    return Stop("RDB version " + std::to_string(version) + " is not supported (1 to " +
                std::to_string(kRdbVersionMaxRead) + ")");
  }
  return true;
}

bool Reader::ReadItem() {
  uint8_t op = 0;
  if (!in_.ReadU8(&op)) {
    return false;
  }
  uint64_t v = 0;
  switch (op) {
    case kOpEof:
      ReadTrailer();
      return false;
    // Hints that belong to the key that follows.
    case kOpExpireTimeMs:
      if (!in_.ReadLe(8, &v)) return false;
      pending_.expire_ms = static_cast<int64_t>(v);
      return true;
    case kOpExpireTime:
      if (!in_.ReadLe(4, &v)) return false;
      pending_.expire_ms = SignExtend(v, 4) * 1000;
      return true;
    case kOpIdle:
      if (!in_.ReadLength(&v)) return false;
      pending_.lru_idle_seconds = v;
      return true;
    case kOpFreq:
      if (!in_.ReadLe(1, &v)) return false;
      pending_.lfu_freq = static_cast<uint8_t>(v);
      return true;
    case kOpSelectDb:
    case kOpResizeDb:
    case kOpAux:
    case kOpFunction2:
    case kOpFunctionPreGa:
    case kOpModuleAux:
      return ReadMetadata(op);
    default:
      return ReadKey(op);
  }
}

bool Reader::ReadMetadata(uint8_t op) {
  uint64_t a = 0;
  uint64_t b = 0;
  std::string field;
  std::string value;
  Status status;
  if (op == kOpSelectDb) {
    if (!in_.ReadLength(&a)) return false;
    if (a > kMaxDbIndex) return in_.Fail("database index " + std::to_string(a) + " too large");
    db_ = static_cast<uint32_t>(a);
    status = visitor_->OnDb(db_);
  } else if (op == kOpResizeDb) {
    if (!in_.ReadLength(&a) || !in_.ReadLength(&b)) return false;
    status = visitor_->OnResizeDb(a, b);
  } else if (op == kOpAux) {
    if (!in_.ReadString(&field) || !in_.ReadString(&value)) return false;
    status = visitor_->OnAux(field, value);
  } else if (op == kOpFunction2) {
    if (!in_.SkipString()) return false;
    Skip("", "function-library", "functions are not supported", false);
  } else if (op == kOpModuleAux) {
    if (!SkipModuleAux(&in_, &value)) return false;
    Skip("", "module-aux:" + value, "modules are not supported", false);
  } else {
    Skip("", "function-library-pre-ga", "no length to skip it by: reading stopped", false);
    return in_.Fail("function library in the Redis 7.0 release-candidate format, which has no "
                    "length to skip it by (Redis 7.0 refuses it too)");
  }
  if (!status.ok()) {
    return Stop(status.message());
  }
  report_->bytes_consumed = in_.pos();
  return true;
}

bool Reader::ReadKey(uint8_t type) {
  if (RdbTypeName(type) == "unknown-type") {
    return in_.Fail("unknown value type " + std::to_string(type));
  }
  RdbKey key = std::move(pending_);
  pending_ = RdbKey();
  key.db = db_;
  key.type = static_cast<RdbType>(type);
  if (!in_.ReadString(&key.name)) {
    return false;
  }
  return ReadValue(type, std::move(key));
}

bool Reader::ReadValue(uint8_t type, RdbKey key) {
  // Built only when needed: this runs for every key of a file.
  auto where = [&] {
    return "key '" + Printable(key.name) + "' (" + std::string(RdbTypeName(type)) + "): ";
  };
  std::string opaque_type;
  switch (OpaqueKind(type)) {
    case Opaque::kNone:
      break;
    case Opaque::kSkippable:
      if (!SkipOpaqueValue(&in_, type, &opaque_type)) return Stop(where() + in_.error());
      Skip(std::move(key.name), opaque_type, "type not supported", true);
      report_->bytes_consumed = in_.pos();
      return true;
    case Opaque::kUnskippable:
      Skip(key.name, std::string(RdbTypeName(type)), "no length to skip it by: reading stopped",
           true);
      return Stop(where() + "cannot be skipped: its format has no length");
  }
  Kind kind = Kind::kString;
  Value value;
  switch (DecodeValue(type, &kind, &value)) {
    case Decoded::kBadInput:
      return Stop(where() + in_.error());
    case Decoded::kBadValue:
      Skip(std::move(key.name), std::string(RdbTypeName(type)), std::move(value_error_), true);
      report_->bytes_consumed = in_.pos();
      return true;
    case Decoded::kOk:
      break;
  }
  return Deliver(kind, std::move(key), std::move(value));
}

// A DUMP payload's body: a type byte and one value, without header, key name or EOF.
void Reader::RunPayloadValue() {
  uint8_t type = 0;
  if (!in_.ReadU8(&type)) {
    Stop(in_.error());
    return;
  }
  if (RdbTypeName(type) == "unknown-type") {
    Stop("unknown value type " + std::to_string(type));
    return;
  }
  RdbKey key;
  key.type = static_cast<RdbType>(type);
  ReadValue(type, std::move(key));
  if (report_->error.empty() && report_->keys_loaded == 0) {
    report_->error = report_->skipped.empty() ? "value not loaded" : report_->skipped[0].reason;
  }
}

bool Reader::Deliver(Kind kind, RdbKey key, Value value) {
  const std::string name = key.name;
  Status status;
  switch (kind) {
    case Kind::kString: status = visitor_->OnString(std::move(key), std::move(value.str)); break;
    case Kind::kList: status = visitor_->OnList(std::move(key), std::move(value.items)); break;
    case Kind::kSet: status = visitor_->OnSet(std::move(key), std::move(value.items)); break;
    case Kind::kZSet: status = visitor_->OnZSet(std::move(key), std::move(value.zset)); break;
    case Kind::kHash: status = visitor_->OnHash(std::move(key), std::move(value.hash)); break;
  }
  if (!status.ok()) {
    return Stop("loading key '" + Printable(name) + "': " + status.message());
  }
  ++report_->keys_loaded;
  report_->bytes_consumed = in_.pos();
  return true;
}

Decoded Reader::DecodeValue(uint8_t type, Kind* kind, Value* value) {
  switch (static_cast<RdbType>(type)) {
    case RdbType::kString:
      *kind = Kind::kString;
      return in_.ReadString(&value->str) ? Decoded::kOk : Decoded::kBadInput;
    case RdbType::kList:
    case RdbType::kSet:
    case RdbType::kZSet:
    case RdbType::kZSet2:
    case RdbType::kHash:
      return DecodeCollection(type, kind, value);
    case RdbType::kListQuicklist:
    case RdbType::kListQuicklist2:
      *kind = Kind::kList;
      return DecodeQuicklist(type, value);
    case RdbType::kHashZipmap:
    case RdbType::kListZiplist:
    case RdbType::kSetIntset:
    case RdbType::kZSetZiplist:
    case RdbType::kHashZiplist:
    case RdbType::kHashListpack:
    case RdbType::kZSetListpack:
    case RdbType::kSetListpack:
      return DecodeBlobValue(type, kind, value);
    default:
      in_.Fail("unknown value type " + std::to_string(type));
      return Decoded::kBadInput;
  }
}

// Types stored as element counts followed by strings (and scores).
Decoded Reader::DecodeCollection(uint8_t type, Kind* kind, Value* value) {
  const auto t = static_cast<RdbType>(type);
  const bool zset = t == RdbType::kZSet || t == RdbType::kZSet2;
  *kind = t == RdbType::kList ? Kind::kList
          : t == RdbType::kSet ? Kind::kSet
          : zset              ? Kind::kZSet
                              : Kind::kHash;
  const size_t min_bytes = t == RdbType::kZSet2 ? 9 : (zset || t == RdbType::kHash) ? 2 : 1;
  uint64_t count = 0;
  if (!in_.ReadCount(&count, min_bytes)) return Decoded::kBadInput;
  // The count is bounded by the input, but an element costs more in memory than on disk: reserve
  // no more than a modest amount up front and let real data grow the vectors.
  const size_t reserve = std::min<uint64_t>(count, kMaxReserve);
  if (zset) {
    value->zset.reserve(reserve);
  } else {
    value->items.reserve(*kind == Kind::kHash ? 2 * reserve : reserve);
  }
  for (uint64_t i = 0; i < count; ++i) {
    if (zset) {
      auto& [member, score] = value->zset.emplace_back();
      const bool ok = in_.ReadString(&member) && (t == RdbType::kZSet2
                                                      ? in_.ReadBinaryDouble(&score)
                                                      : in_.ReadTextDouble(&score));
      if (!ok) return Decoded::kBadInput;
      continue;
    }
    if (!in_.ReadString(&value->items.emplace_back())) return Decoded::kBadInput;
    if (*kind == Kind::kHash && !in_.ReadString(&value->items.emplace_back())) {
      return Decoded::kBadInput;
    }
  }
  return *kind == Kind::kHash ? PairUp(*kind, value) : CheckValue(*kind, *value);
}

// Types stored as one string holding a ziplist, listpack, intset or zipmap.
Decoded Reader::DecodeBlobValue(uint8_t type, Kind* kind, Value* value) {
  std::string scratch;
  std::string_view blob;
  if (!in_.ReadBlob(&blob, &scratch)) return Decoded::kBadInput;
  Status status;
  switch (static_cast<RdbType>(type)) {
    case RdbType::kHashZipmap:
      *kind = Kind::kHash;
      status = DecodeZipmap(blob, &value->items);
      break;
    case RdbType::kListZiplist:
    case RdbType::kZSetZiplist:
    case RdbType::kHashZiplist:
      *kind = type == static_cast<uint8_t>(RdbType::kListZiplist)   ? Kind::kList
              : type == static_cast<uint8_t>(RdbType::kZSetZiplist) ? Kind::kZSet
                                                                    : Kind::kHash;
      status = DecodeZiplist(blob, &value->items);
      break;
    case RdbType::kSetIntset:
      *kind = Kind::kSet;
      status = DecodeIntset(blob, &value->items);
      break;
    default:  // the listpack types
      *kind = type == static_cast<uint8_t>(RdbType::kHashListpack)   ? Kind::kHash
              : type == static_cast<uint8_t>(RdbType::kZSetListpack) ? Kind::kZSet
                                                                     : Kind::kSet;
      status = DecodeListpack(blob, &value->items);
      break;
  }
  if (!status.ok()) {
    return BadValue(status.message());
  }
  return *kind == Kind::kList || *kind == Kind::kSet ? CheckValue(*kind, *value)
                                                     : PairUp(*kind, value);
}

Decoded Reader::DecodeQuicklist(uint8_t type, Value* value) {
  const bool v2 = type == static_cast<uint8_t>(RdbType::kListQuicklist2);
  uint64_t nodes = 0;
  if (!in_.ReadCount(&nodes, v2 ? 2 : 1)) return Decoded::kBadInput;
  std::string scratch;
  Status status;
  for (uint64_t i = 0; i < nodes; ++i) {
    uint64_t container = kQuicklistNodePacked;
    std::string_view blob;
    if ((v2 && !in_.ReadLength(&container)) || !in_.ReadBlob(&blob, &scratch)) {
      return Decoded::kBadInput;
    }
    if (!status.ok()) {
      continue;  // the key is already bad; read on to the next key
    }
    if (container == kQuicklistNodePlain) {
      value->items.emplace_back(blob);
    } else if (container != kQuicklistNodePacked) {
      status = Status::Error("unknown quicklist node container " + std::to_string(container));
    } else {
      status = v2 ? DecodeListpack(blob, &value->items) : DecodeZiplist(blob, &value->items);
    }
  }
  if (!status.ok()) {
    return BadValue(status.message());
  }
  return CheckValue(Kind::kList, *value);
}

// Turns the flat field/value or member/score sequence in `items` into pairs.
Decoded Reader::PairUp(Kind kind, Value* value) {
  if (value->items.size() % 2 != 0) {
    return BadValue("odd number of entries in a map encoding");
  }
  const size_t n = value->items.size() / 2;
  for (size_t i = 0; i < n; ++i) {
    std::string& first = value->items[2 * i];
    std::string& second = value->items[2 * i + 1];
    if (kind == Kind::kHash) {
      value->hash.emplace_back(std::move(first), std::move(second));
      continue;
    }
    double score = 0;
    if (!ParseDouble(second, &score)) {
      return BadValue("sorted set score is not a number");
    }
    value->zset.emplace_back(std::move(first), score);
  }
  value->items.clear();
  return CheckValue(kind, *value);
}

// What Redis' loader rejects or drops: empty collections, duplicates, NaN scores.
Decoded Reader::CheckValue(Kind kind, const Value& value) {
  std::unordered_set<std::string_view> seen;
  auto unique = [&seen](std::string_view member) { return seen.insert(member).second; };
  switch (kind) {
    case Kind::kString:
      return Decoded::kOk;
    case Kind::kList:
      return value.items.empty() ? BadValue("empty collection") : Decoded::kOk;
    case Kind::kSet:
      if (value.items.empty()) return BadValue("empty collection");
      for (const std::string& m : value.items) {
        if (!unique(m)) return BadValue("duplicate set member");
      }
      return Decoded::kOk;
    case Kind::kZSet:
      if (value.zset.empty()) return BadValue("empty collection");
      for (const auto& [member, score] : value.zset) {
        if (std::isnan(score)) return BadValue("NaN score");
        if (!unique(member)) return BadValue("duplicate sorted set member");
      }
      return Decoded::kOk;
    case Kind::kHash:
      if (value.hash.empty()) return BadValue("empty collection");
      for (const auto& [field, v] : value.hash) {
        if (!unique(field)) return BadValue("duplicate hash field");
      }
      return Decoded::kOk;
  }
  return Decoded::kOk;
}

Decoded Reader::BadValue(std::string reason) {
  value_error_ = std::move(reason);
  return Decoded::kBadValue;
}

void Reader::ReadTrailer() {
  const size_t covered = in_.pos();  // the checksum covers everything up to and including EOF
  if (report_->rdb_version < kFirstVersionWithChecksum) {
    report_->checksum = ChecksumState::kAbsent;
    report_->checksum_ok = true;
    report_->bytes_consumed = covered;
    done_ = true;
    return;
  }
  uint64_t stored = 0;
  if (!in_.ReadLe(8, &stored)) {
    report_->error = "checksum missing after the EOF marker: " + in_.error();
    return;
  }
  done_ = true;
  report_->bytes_consumed = in_.pos();
  if (stored == 0) {
    report_->checksum = ChecksumState::kDisabled;
    report_->checksum_ok = true;
    return;
  }
  const uint64_t computed = Crc64(0, in_.data().substr(0, covered));
  report_->checksum_ok = computed == stored;
  report_->checksum = report_->checksum_ok ? ChecksumState::kVerified : ChecksumState::kMismatch;
  if (!report_->checksum_ok) {
    char buf[96];
    std::snprintf(buf, sizeof(buf), "wrong RDB checksum: file has %016llx, content gives %016llx",
                  static_cast<unsigned long long>(stored),
                  static_cast<unsigned long long>(computed));
    report_->error = buf;
  }
}

void Reader::Skip(std::string key, std::string type, std::string reason, bool is_key) {
  if (is_key) {
    ++report_->keys_skipped;
  }
  ++report_->skipped_by_type[type];
  if (report_->skipped.size() < LoadReport::kMaxSkippedDetails) {
    report_->skipped.push_back({db_, std::move(key), std::move(type), std::move(reason)});
  }
}

bool Reader::Stop(std::string message) {
  if (report_->error.empty()) {
    report_->error = std::move(message);
  }
  return false;
}

}  // namespace

LoadReport ReadRdb(std::string_view data, RdbVisitor* visitor, const RdbReadOptions& options) {
  LoadReport report;
  Reader(data, visitor, options, &report).Run();
  return report;
}

DumpPayloadReport DecodeDumpPayload(std::string_view payload, RdbVisitor* visitor,
                                    const RdbReadOptions& options) {
  DumpPayloadReport out;
  // Redis' verifyDumpPayload: the footer is checked before a byte of the value is looked at.
  constexpr size_t kFooter = 10;
  if (payload.size() < kFooter) {
    out.error = DumpPayloadError::kVersionOrChecksum;
    out.detail = "payload shorter than its 10-byte footer";
    return out;
  }
  out.rdb_version = static_cast<int>(LoadLe(payload.data() + payload.size() - kFooter, 2));
  if (out.rdb_version > kRdbVersionWritten) {
    out.error = DumpPayloadError::kVersionOrChecksum;
    out.detail = "RDB version " + std::to_string(out.rdb_version) + " is newer than " +
                 std::to_string(kRdbVersionWritten);
    return out;
  }
  const uint64_t stored = LoadLe(payload.data() + payload.size() - 8, 8);
  if (Crc64(0, payload.substr(0, payload.size() - 8)) != stored) {
    out.error = DumpPayloadError::kVersionOrChecksum;
    out.detail = "wrong checksum";
    return out;
  }
  LoadReport report;
  report.rdb_version = out.rdb_version;
  // Redis reads the value from the whole payload: a value may run into the footer's bytes.
  Reader(payload, visitor, options, &report).RunPayloadValue();
  if (!report.error.empty()) {
    out.error = DumpPayloadError::kBadData;
    out.detail = std::move(report.error);
  }
  return out;
}

LoadReport ReadRdbFile(const std::string& path, RdbVisitor* visitor,
                       const RdbReadOptions& options) {
  LoadReport report;
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  struct stat st {};
  if (fd < 0 || fstat(fd, &st) != 0) {
    report.error = "cannot open " + path + ": " + std::strerror(errno);
    if (fd >= 0) close(fd);
    return report;
  }
  const size_t size = static_cast<size_t>(st.st_size);
  if (size == 0) {
    close(fd);
    return ReadRdb({}, visitor, options);
  }
  void* map = mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  close(fd);
  if (map == MAP_FAILED) {
    report.error = "cannot map " + path + ": " + std::strerror(errno);
    return report;
  }
  madvise(map, size, MADV_SEQUENTIAL);
  report = ReadRdb(std::string_view(static_cast<const char*>(map), size), visitor, options);
  munmap(map, size);
  return report;
}

}  // namespace mr::persistence
