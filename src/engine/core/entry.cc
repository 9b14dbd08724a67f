// Entry block construction and in-place updates.
#include "engine/core/entry.h"

#include <limits>

#include "engine/core/memory.h"

namespace mr::engine {

namespace {
constexpr int kBytesValue = 0;  // [varint len][bytes]
constexpr int kWordValue = 1;   // 8 raw bytes (int64 or pointer)

uint8_t Hdr(ObjType t, Enc e) {
  return static_cast<uint8_t>(static_cast<uint8_t>(t) | (static_cast<uint8_t>(e) << 4));
}

Enc StringEnc(std::string_view v, bool raw) {
  return raw || v.size() > Entry::kEmbStrMax ? Enc::kRaw : Enc::kEmbStr;
}
}  // namespace

std::string_view EncodingName(Enc e) {
  static constexpr std::string_view kNames[] = {"embstr",    "raw",     "int",       "listpack",
                                                "quicklist", "intset",  "hashtable", "skiplist"};
  return kNames[static_cast<int>(e)];
}

std::string_view TypeName(ObjType t) {
  static constexpr std::string_view kNames[] = {"string", "list", "set", "zset", "hash"};
  return kNames[static_cast<int>(t)];
}

Entry* Entry::Build(std::string_view key, uint8_t hdr0, uint8_t flags, uint32_t lru,
                    int64_t expire, size_t value_size, const void* value, int value_kind) {
  size_t vbytes = value_kind == kBytesValue ? VarintSize(value_size) + value_size : 8;
  size_t size = 5 + ((flags & kHasExpire) ? 8 : 0) + VarintSize(key.size()) + key.size() + vbytes;
  auto* e = static_cast<Entry*>(Allocate(size));
  e->b_[0] = hdr0;
  e->b_[1] = flags;
  e->set_lru(lru);
  uint8_t* p = e->raw() + 5;
  if (flags & kHasExpire) {
    std::memcpy(p, &expire, 8);
    p += 8;
  }
  p += PutVarint(p, key.size());
  if (!key.empty()) {
    std::memcpy(p, key.data(), key.size());
  }
  p += key.size();
  if (value_kind == kBytesValue) {
    p += PutVarint(p, value_size);
    if (value_size > 0) {
      std::memcpy(p, value, value_size);
    }
  } else {
    std::memcpy(p, value, 8);
  }
  return e;
}

Entry* Entry::NewString(std::string_view key, std::string_view value, bool raw, bool try_int) {
  int64_t iv;
  if (try_int && !raw && value.size() <= 20 && ParseInt64(value, &iv)) {
    return NewInt(key, iv);
  }
  return Build(key, Hdr(ObjType::kString, StringEnc(value, raw)), 0, 0, 0, value.size(),
               value.data(), kBytesValue);
}

Entry* Entry::NewInt(std::string_view key, int64_t v) {
  return Build(key, Hdr(ObjType::kString, Enc::kInt), 0, 0, 0, 8, &v, kWordValue);
}

Entry* Entry::NewObject(std::string_view key, ObjType type, Enc enc, void* obj) {
  return Build(key, Hdr(type, enc), 0, 0, 0, 8, &obj, kWordValue);
}

void Entry::FreeBlock(Entry* e) { Deallocate(e); }

size_t Entry::BlockSize() const {
  const uint8_t* v = ValuePtr();
  size_t head = static_cast<size_t>(v - raw());
  if (type() == ObjType::kString && !is_int()) {
    uint64_t n;
    size_t l = GetVarint(v, &n);
    return head + l + n;
  }
  return head + 8;
}

Entry* Entry::SetString(Entry* e, std::string_view value, bool raw, bool try_int) {
  int64_t iv;
  if (try_int && !raw && value.size() <= 20 && ParseInt64(value, &iv)) {
    return SetInt(e, iv);
  }
  Enc enc = StringEnc(value, raw);
  if (e->type() == ObjType::kString && e->enc() == enc && e->str().size() == value.size()) {
    if (!value.empty()) {  // same size: overwrite in place
      std::memcpy(const_cast<char*>(e->str().data()), value.data(), value.size());
    }
    return e;
  }
  Entry* n = Build(e->key(), Hdr(ObjType::kString, enc), e->b_[1], e->lru(),
                   e->has_expire() ? e->expire_ms() : 0, value.size(), value.data(), kBytesValue);
  FreeBlock(e);
  return n;
}

Entry* Entry::SetInt(Entry* e, int64_t v) {
  if (e->type() == ObjType::kString && e->is_int()) {
    std::memcpy(const_cast<uint8_t*>(e->ValuePtr()), &v, 8);
    return e;
  }
  Entry* n = Build(e->key(), Hdr(ObjType::kString, Enc::kInt), e->b_[1], e->lru(),
                   e->has_expire() ? e->expire_ms() : 0, 8, &v, kWordValue);
  FreeBlock(e);
  return n;
}

Entry* Entry::SetExpire(Entry* e, int64_t ms) {
  if (e->has_expire()) {
    e->set_expire_ms(ms);
    return e;
  }
  size_t old_size = e->BlockSize();
  auto* n = static_cast<Entry*>(Allocate(old_size + 8));
  n->b_[0] = e->b_[0];
  n->b_[1] = static_cast<uint8_t>(e->b_[1] | kHasExpire);
  n->set_lru(e->lru());
  std::memcpy(n->raw() + 5, &ms, 8);
  std::memcpy(n->raw() + 13, e->raw() + 5, old_size - 5);
  FreeBlock(e);
  return n;
}

Entry* Entry::ClearExpire(Entry* e) {
  if (!e->has_expire()) {
    return e;
  }
  size_t old_size = e->BlockSize();
  auto* n = static_cast<Entry*>(Allocate(old_size - 8));
  n->b_[0] = e->b_[0];
  n->b_[1] = static_cast<uint8_t>(e->b_[1] & ~kHasExpire);
  n->set_lru(e->lru());
  std::memcpy(n->raw() + 5, e->raw() + 13, old_size - 13);
  FreeBlock(e);
  return n;
}

size_t Entry::StringLength() const {
  if (is_int()) {
    char buf[24];
    return FormatInt64(int_value(), buf);
  }
  return str().size();
}

bool ParseInt64(std::string_view s, int64_t* out) {
  if (s.empty() || s.size() > 20) {
    return false;
  }
  size_t i = 0;
  bool neg = false;
  if (s[0] == '-') {
    neg = true;
    i = 1;
    if (s.size() == 1) {
      return false;
    }
  }
  if (s[i] == '0' && s.size() > i + 1) {
    return false;
  }
  if (s[i] == '0' && neg) {
    return false;  // "-0" is not canonical
  }
  uint64_t v = 0;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (c < '0' || c > '9') {
      return false;
    }
    uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (std::numeric_limits<uint64_t>::max() - d) / 10) {
      return false;
    }
    v = v * 10 + d;
  }
  if (neg) {
    if (v > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) + 1) {
      return false;
    }
    *out = static_cast<int64_t>(0 - v);
  } else {
    if (v > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return false;
    }
    *out = static_cast<int64_t>(v);
  }
  return true;
}

size_t FormatInt64(int64_t v, char* buf) {
  char tmp[24];
  size_t n = 0;
  uint64_t u = v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  do {
    tmp[n++] = static_cast<char>('0' + u % 10);
    u /= 10;
  } while (u != 0);
  size_t len = 0;
  if (v < 0) {
    buf[len++] = '-';
  }
  while (n > 0) {
    buf[len++] = tmp[--n];
  }
  return len;
}

}  // namespace mr::engine
