// Length-prefixed byte blocks used as members of big hashes and sets: one allocation each,
// [varint len][bytes] for set members and [varint flen][field][varint vlen][value] for hash fields.
#pragma once

#include <cstring>
#include <string_view>

#include "engine/core/memory.h"
#include "engine/core/varint.h"

namespace mr::engine {

struct Blob {
  static Blob* New(std::string_view a) {
    auto* p = static_cast<uint8_t*>(Allocate(VarintSize(a.size()) + a.size()));
    size_t n = PutVarint(p, a.size());
    if (!a.empty()) {
      std::memcpy(p + n, a.data(), a.size());
    }
    return reinterpret_cast<Blob*>(p);
  }
  static Blob* NewPair(std::string_view a, std::string_view b) {
    size_t size = VarintSize(a.size()) + a.size() + VarintSize(b.size()) + b.size();
    auto* p = static_cast<uint8_t*>(Allocate(size));
    size_t n = PutVarint(p, a.size());
    if (!a.empty()) {
      std::memcpy(p + n, a.data(), a.size());
    }
    n += a.size();
    n += PutVarint(p + n, b.size());
    if (!b.empty()) {
      std::memcpy(p + n, b.data(), b.size());
    }
    return reinterpret_cast<Blob*>(p);
  }
  static void Free(Blob* b) { Deallocate(b); }

  std::string_view first() const {
    uint64_t n;
    size_t l = GetVarint(bytes(), &n);
    return {reinterpret_cast<const char*>(bytes() + l), n};
  }
  std::string_view second() const {
    std::string_view a = first();
    const uint8_t* p = reinterpret_cast<const uint8_t*>(a.data() + a.size());
    uint64_t n;
    size_t l = GetVarint(p, &n);
    return {reinterpret_cast<const char*>(p + l), n};
  }

 private:
  const uint8_t* bytes() const { return reinterpret_cast<const uint8_t*>(this); }
};

struct BlobKey {
  std::string_view operator()(const Blob* b) const { return b->first(); }
};

}  // namespace mr::engine
