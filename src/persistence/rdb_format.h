// Constants of Redis' RDB snapshot format (rdb.h in Redis 7.0) shared by the reader and the writer.
// Values are part of the on-disk format and must never change.
#pragma once

#include <cstdint>
#include <string_view>

namespace mr::persistence {

/// Absolute expiry (Unix milliseconds) meaning "the key never expires", as in Redis.
inline constexpr int64_t kNoExpiry = -1;

/// The version this library writes: Redis 7.0's.
inline constexpr int kRdbVersionWritten = 10;
/// Newest version the reader accepts: 11 (Redis 7.2) only adds types the reader knows.
inline constexpr int kRdbVersionMaxRead = 11;

/// RDB value types: the byte before each key.
enum class RdbType : uint8_t {
  kString = 0,
  kList = 1,
  kSet = 2,
  kZSet = 3,  // scores as length-prefixed decimal text
  kHash = 4,
  kZSet2 = 5,          // scores as binary doubles
  kModulePreGa = 6,    // module value without an end marker: its length cannot be found
  kModule2 = 7,        // module value made of typed opcodes ending with an EOF opcode
  kHashZipmap = 9,     // Redis < 2.6
  kListZiplist = 10,   // Redis 2.6 - 3.0
  kSetIntset = 11,
  kZSetZiplist = 12,   // Redis 2.6 - 6.2
  kHashZiplist = 13,   // Redis 2.6 - 6.2
  kListQuicklist = 14, // Redis 3.2 - 6.2: ziplist nodes
  kStreamListpacks = 15,
  kHashListpack = 16,  // Redis 7.0
  kZSetListpack = 17,  // Redis 7.0
  kListQuicklist2 = 18,  // Redis 7.0: listpack or plain nodes
  kStreamListpacks2 = 19,  // Redis 7.0
  kSetListpack = 20,       // Redis 7.2
  kStreamListpacks3 = 21,  // Redis 7.2: consumers' active time
};

/// Opcodes that share the type byte's position but carry metadata instead of a key.
enum RdbOpcode : uint8_t {
  kOpFunction2 = 245,      // a function library (Redis 7.0)
  kOpFunctionPreGa = 246,  // 7.0 release candidates' format, refused by Redis 7.0 itself
  kOpModuleAux = 247,
  kOpIdle = 248,
  kOpFreq = 249,
  kOpAux = 250,
  kOpResizeDb = 251,
  kOpExpireTimeMs = 252,
  kOpExpireTime = 253,  // seconds, RDB < 3
  kOpSelectDb = 254,
  kOpEof = 255,
};

// Length encoding: the top two bits of the first byte.
inline constexpr uint8_t kLen6Bit = 0;
inline constexpr uint8_t kLen14Bit = 1;
inline constexpr uint8_t kLen32Bit = 0x80;
inline constexpr uint8_t kLen64Bit = 0x81;
inline constexpr uint8_t kLenEncoded = 3;  // a special string encoding follows in the low 6 bits
inline constexpr uint8_t kEncInt8 = 0;
inline constexpr uint8_t kEncInt16 = 1;
inline constexpr uint8_t kEncInt32 = 2;
inline constexpr uint8_t kEncLzf = 3;

// QUICKLIST_2 node containers.
inline constexpr uint64_t kQuicklistNodePlain = 1;
inline constexpr uint64_t kQuicklistNodePacked = 2;

// Module value opcodes (RDB_MODULE_OPCODE_*).
inline constexpr uint64_t kModuleOpEof = 0;
inline constexpr uint64_t kModuleOpSint = 1;
inline constexpr uint64_t kModuleOpUint = 2;
inline constexpr uint64_t kModuleOpFloat = 3;
inline constexpr uint64_t kModuleOpDouble = 4;
inline constexpr uint64_t kModuleOpString = 5;

/// A short name for reports and logs: "string", "zset-listpack", "type-42".
std::string_view RdbTypeName(uint8_t type);

}  // namespace mr::persistence
