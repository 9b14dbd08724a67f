// Reads Redis RDB files (versions 1 to 11: Redis 2.x to 7.2) and DUMP payloads, handing each key
// to a visitor as plain values. Untrusted input: corrupt data yields a report, never a crash.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "persistence/rdb_format.h"

namespace mr::persistence {

/// What precedes every value in the file.
struct RdbKey {
  uint32_t db = 0;
  std::string name;
  int64_t expire_ms = kNoExpiry;  // absolute Unix milliseconds; may already be in the past
  RdbType type = RdbType::kString;  // the encoding it was saved with (for statistics and tests)
  // Eviction hints, present when the saving server ran an LRU or LFU maxmemory-policy.
  std::optional<uint64_t> lru_idle_seconds;
  std::optional<uint8_t> lfu_freq;
};

using RdbZSetEntries = std::vector<std::pair<std::string, double>>;
using RdbHashFields = std::vector<std::pair<std::string, std::string>>;

/// Receives the file's contents in order. Values are handed over by value so the visitor can
/// move them into its own structures. Sets, sorted sets and hashes never have duplicate members
/// and no collection is empty (the reader skips such keys, as Redis does). An error Status stops
/// reading and becomes the report's error.
class RdbVisitor {
 public:
  virtual ~RdbVisitor() = default;
  virtual Status OnAux(std::string_view field, std::string_view value) { return Status::Ok(); }
  virtual Status OnDb(uint32_t index) { return Status::Ok(); }
  virtual Status OnResizeDb(uint64_t keys, uint64_t expires) { return Status::Ok(); }
  virtual Status OnString(RdbKey key, std::string value) = 0;
  virtual Status OnList(RdbKey key, std::vector<std::string> elements) = 0;
  virtual Status OnSet(RdbKey key, std::vector<std::string> members) = 0;
  virtual Status OnZSet(RdbKey key, RdbZSetEntries entries) = 0;
  virtual Status OnHash(RdbKey key, RdbHashFields fields) = 0;
};

struct RdbReadOptions {
  // Larger strings are treated as corruption (Redis' proto-max-bulk-len default).
  uint64_t max_string_bytes = 512ULL * 1024 * 1024;
};

enum class ChecksumState {
  kNotReached,  // reading stopped before the end of the file
  kVerified,
  kDisabled,  // the file holds a zero checksum (rdbchecksum no)
  kAbsent,    // RDB version < 5 has none
  kMismatch,
};

/// Something in the file that was not handed to the visitor.
struct RdbSkipped {
  uint32_t db = 0;
  std::string key;     // empty for items that are not keys (function libraries, module aux data)
  std::string type;    // "stream", "module:ReJSON-RL", "function-library", "list"...
  std::string reason;  // "unsupported type", "corrupt listpack: ...", "empty collection"...
};

struct LoadReport {
  static constexpr size_t kMaxSkippedDetails = 1000;

  int rdb_version = 0;
  uint64_t keys_loaded = 0;
  uint64_t keys_skipped = 0;
  std::map<std::string, uint64_t> skipped_by_type;  // every skipped item, keys or not
  std::vector<RdbSkipped> skipped;                  // the first kMaxSkippedDetails of them
  std::string error;            // empty when the whole file was read
  uint64_t bytes_consumed = 0;  // end of the last item read completely
  bool checksum_ok = false;     // verified, or disabled / absent as the format allows
  ChecksumState checksum = ChecksumState::kNotReached;

  /// The file was read to its end and its checksum holds (or the file has none).
  bool clean() const { return error.empty() && checksum_ok; }
};

/// Reads an RDB file held in memory. Keys reach the visitor as they are read, before the
/// checksum at the end can be checked: a caller that needs all-or-nothing must stage them.
LoadReport ReadRdb(std::string_view data, RdbVisitor* visitor, const RdbReadOptions& options = {});

enum class DumpPayloadError : uint8_t {
  kNone,
  kVersionOrChecksum,  // shorter than its footer, RDB version > 10, or wrong CRC64
  kBadData,            // the value does not decode, is empty, or has a type not loaded here
};

struct DumpPayloadReport {
  DumpPayloadError error = DumpPayloadError::kNone;
  int rdb_version = 0;
  std::string detail;  // what went wrong, for logs (RESTORE replies Redis' fixed messages)

  bool ok() const { return error == DumpPayloadError::kNone; }
};

/// Reads a DUMP payload as Redis 7.0's RESTORE does: the footer first (RDB version <= 10, CRC64 of
/// everything before the checksum), then the one value, handed to `visitor` with an empty key
/// name, database 0 and no expiry. As in Redis, the value is read from the whole payload (it may
/// run into the footer) and bytes between its end and the footer are ignored.
DumpPayloadReport DecodeDumpPayload(std::string_view payload, RdbVisitor* visitor,
                                    const RdbReadOptions& options = {});

/// Maps `path` and reads it; an unreadable file is reported in `error`.
LoadReport ReadRdbFile(const std::string& path, RdbVisitor* visitor,
                       const RdbReadOptions& options = {});

}  // namespace mr::persistence
