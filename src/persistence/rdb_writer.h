// Writes Redis RDB snapshots (version 10, what Redis 7.0 saves) and DUMP payloads to a ByteSink,
// choosing the encodings Redis 7.0 would, so real Redis loads them without conversions.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "common/status.h"
#include "persistence/byte_sink.h"
#include "persistence/rdb_format.h"

namespace mr::persistence {

/// What surrounds the values.
enum class RdbFraming : uint8_t {
  kFile,  // an RDB file: header, databases, keys with expiry, EOF opcode, checksum
  // A DUMP payload (Redis' DUMP / RESTORE): exactly one value with its type byte, no key, no
  // expiry, then the RDB version (2 bytes) and a CRC64 of everything before it (8 bytes, LE).
  kDumpPayload,
};

struct RdbWriterOptions {
  RdbFraming framing = RdbFraming::kFile;
  std::string redis_version = "7.0.15";  // the redis-ver aux field
  int64_t ctime_seconds = -1;            // the ctime aux field; -1: now
  uint64_t used_mem = 0;                 // the used-mem aux field
  bool compress = true;                  // rdbcompression: LZF for strings over 20 bytes
  bool checksum = true;                  // rdbchecksum: a zero checksum tells readers to skip it
  // Redis 7.0's default thresholds; with them a loaded key keeps the encoding it was saved with.
  size_t list_max_listpack_bytes = 8192;           // list-max-listpack-size -2
  size_t list_plain_threshold = size_t{1} << 30;   // larger elements get a node of their own
  size_t set_max_intset_entries = 512;
  size_t zset_max_listpack_entries = 128;
  size_t zset_max_listpack_value = 64;
  size_t hash_max_listpack_entries = 512;
  size_t hash_max_listpack_value = 64;
};

/// Streams one RDB file. Call BeginDb before each database's keys, the Write* calls, then Finish;
/// the header is written by the first call. A Write* call that rejects its arguments (empty
/// collection, duplicate member, NaN score) writes nothing and the dump stays usable; a sink error
/// is final and every later call returns it.
///
/// `expire_ms` is an absolute Unix time in milliseconds, or kNoExpiry.
///
/// With RdbFraming::kDumpPayload the same calls build a DUMP payload: one Write* call (its key and
/// expiry are ignored) then Finish; BeginDb is refused.
class RdbWriter {
 public:
  explicit RdbWriter(ByteSink* sink, RdbWriterOptions options = {});
  RdbWriter(const RdbWriter&) = delete;
  RdbWriter& operator=(const RdbWriter&) = delete;

  /// SELECTDB + RESIZEDB. `keys` and `expires` are sizing hints for the loader.
  Status BeginDb(uint32_t index, uint64_t keys, uint64_t expires);

  Status WriteString(std::string_view key, std::string_view value, int64_t expire_ms = kNoExpiry);
  Status WriteList(std::string_view key, std::span<const std::string_view> elements,
                   int64_t expire_ms = kNoExpiry);
  Status WriteSet(std::string_view key, std::span<const std::string_view> members,
                  int64_t expire_ms = kNoExpiry);
  Status WriteZSet(std::string_view key,
                   std::span<const std::pair<std::string_view, double>> entries,
                   int64_t expire_ms = kNoExpiry);
  Status WriteHash(std::string_view key,
                   std::span<const std::pair<std::string_view, std::string_view>> fields,
                   int64_t expire_ms = kNoExpiry);

  /// EOF opcode and checksum, then ByteSink::Finish (which commits a FileSink).
  Status Finish();

  uint64_t bytes_written() const { return flushed_ + buf_.size(); }

 private:
  Status Prepare();
  Status PrepareValue();  // Prepare, plus the one-value rule of DUMP payloads
  bool payload() const { return options_.framing == RdbFraming::kDumpPayload; }
  void PutKeyPrefix(RdbType type, std::string_view key, int64_t expire_ms);
  void PutByte(uint8_t b) { buf_.push_back(static_cast<char>(b)); }
  void PutLength(uint64_t len);
  void PutString(std::string_view s);  // rdbSaveRawString: integer, LZF or raw
  void PutRaw(std::string_view bytes);
  void PutListNodes(std::span<const std::string_view> elements);
  Status Done();  // flushes a full buffer; returns the sticky error if any
  void Flush();

  ByteSink* sink_;
  RdbWriterOptions options_;
  std::string buf_;
  std::string lzf_;  // scratch for compressed output
  uint64_t crc_ = 0;
  uint64_t flushed_ = 0;
  uint64_t values_ = 0;
  bool started_ = false;
  bool finished_ = false;
  Status failed_;
};

}  // namespace mr::persistence
