// One keyspace entry = one heap block: header (type/encoding, flags, 24-bit LRU/LFU), optional
// expire time, key and either the string value inline or a pointer to a typed object.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

#include "engine/core/varint.h"

namespace mr::engine {

enum class ObjType : uint8_t { kString = 0, kList = 1, kSet = 2, kZSet = 3, kHash = 4 };

// Redis' OBJECT ENCODING names map 1:1 to these.
enum class Enc : uint8_t {
  kEmbStr,
  kRaw,
  kInt,
  kListpack,
  kQuicklist,
  kIntset,
  kHashtable,
  kSkiplist,
};

std::string_view EncodingName(Enc e);
std::string_view TypeName(ObjType t);

// Layout: [type|enc<<4][flags][lru:24][expire_ms:8 if kHasExpire][varint klen][key][value]
// value: strings -> [varint vlen][bytes]; kInt -> [int64]; objects -> [pointer].
// Strings up to 44 bytes report embstr like Redis; longer or modified in place report raw.
class Entry {
 public:
  static constexpr uint8_t kHasExpire = 1;
  static constexpr size_t kEmbStrMax = 44;

  // try_int=false keeps integer-looking text as a string (INCRBYFLOAT results, like Redis).
  static Entry* NewString(std::string_view key, std::string_view value, bool raw = false,
                          bool try_int = true);
  static Entry* NewInt(std::string_view key, int64_t v);
  static Entry* NewObject(std::string_view key, ObjType type, Enc enc, void* obj);
  static void FreeBlock(Entry* e);  // the block only; typed objects are freed by their owner

  // These may reallocate: the returned pointer replaces `e` everywhere (table slots).
  static Entry* SetString(Entry* e, std::string_view value, bool raw = false, bool try_int = true);
  static Entry* SetInt(Entry* e, int64_t v);
  static Entry* SetExpire(Entry* e, int64_t ms);
  static Entry* ClearExpire(Entry* e);

  ObjType type() const { return static_cast<ObjType>(b_[0] & 0x0F); }
  Enc enc() const { return static_cast<Enc>(b_[0] >> 4); }
  void set_enc(Enc e) {
    b_[0] = static_cast<uint8_t>((b_[0] & 0x0F) | (static_cast<uint8_t>(e) << 4));
  }
  bool has_expire() const { return (b_[1] & kHasExpire) != 0; }
  int64_t expire_ms() const {
    int64_t v;
    std::memcpy(&v, raw() + 5, 8);
    return v;
  }
  void set_expire_ms(int64_t v) { std::memcpy(raw() + 5, &v, 8); }
  uint32_t lru() const { return b_[2] | (b_[3] << 8) | (static_cast<uint32_t>(b_[4]) << 16); }
  void set_lru(uint32_t v) {
    b_[2] = static_cast<uint8_t>(v);
    b_[3] = static_cast<uint8_t>(v >> 8);
    b_[4] = static_cast<uint8_t>(v >> 16);
  }

  std::string_view key() const {
    const uint8_t* p = raw() + KeyOffset();
    uint64_t n;
    p += GetVarint(p, &n);
    return {reinterpret_cast<const char*>(p), n};
  }
  bool is_int() const { return enc() == Enc::kInt; }
  std::string_view str() const {  // kEmbStr / kRaw only
    const uint8_t* p = ValuePtr();
    uint64_t n;
    p += GetVarint(p, &n);
    return {reinterpret_cast<const char*>(p), n};
  }
  int64_t int_value() const {
    int64_t v;
    std::memcpy(&v, ValuePtr(), 8);
    return v;
  }
  template <typename T>
  T* obj() const {
    T* v;
    std::memcpy(&v, ValuePtr(), sizeof(v));
    return v;
  }
  void set_obj(void* o) { std::memcpy(const_cast<uint8_t*>(ValuePtr()), &o, sizeof(o)); }

  // Length of the string form (int values formatted).
  size_t StringLength() const;

 private:
  size_t KeyOffset() const { return 5 + (has_expire() ? 8 : 0); }
  // The block is larger than the 5-byte header member: address it through the raw pointer.
  uint8_t* raw() { return reinterpret_cast<uint8_t*>(this); }
  const uint8_t* raw() const { return reinterpret_cast<const uint8_t*>(this); }
  const uint8_t* ValuePtr() const {
    const uint8_t* p = raw() + KeyOffset();
    uint64_t n;
    p += GetVarint(p, &n);
    return p + n;
  }
  size_t BlockSize() const;
  static Entry* Build(std::string_view key, uint8_t hdr0, uint8_t flags, uint32_t lru,
                      int64_t expire, size_t value_size, const void* value, int value_kind);

  uint8_t b_[5];
};

struct EntryKey {
  std::string_view operator()(const Entry* e) const { return e->key(); }
};

/// Parses a Redis integer (no spaces, no leading '+', no leading zeros, fits int64).
bool ParseInt64(std::string_view s, int64_t* out);
/// Formats v into buf (>= 21 bytes); returns the length.
size_t FormatInt64(int64_t v, char* buf);

}  // namespace mr::engine
