// Redis hash values: a listpack of field,value pairs while small (hash-max-listpack-entries /
// -value), a DenseTable of field blocks above. Conversion is one-way, like Redis.
#pragma once

#include <cstdint>
#include <string_view>

#include "engine/core/blob.h"
#include "engine/core/dense_table.h"
#include "engine/core/entry.h"
#include "engine/core/listpack.h"

namespace mr::engine {

struct EncodingLimits {
  uint32_t hash_listpack_entries = 128;
  uint32_t hash_listpack_value = 64;
  uint32_t set_intset_entries = 512;
  uint32_t zset_listpack_entries = 128;
  uint32_t zset_listpack_value = 64;
  uint32_t list_listpack_entries = 128;
  uint32_t list_listpack_value = 64;
  uint32_t hll_sparse_max_bytes = 3000;  // sparse HLLs above this (header included) go dense
};

class HashObject {
 public:
  using Table = DenseTable<Blob, BlobKey>;
  HashObject() = default;
  ~HashObject();

  Enc encoding() const { return table_ ? Enc::kHashtable : Enc::kListpack; }
  size_t size() const { return table_ ? table_->size() : lp_.size() / 2; }
  bool Get(std::string_view field, std::string_view* value) const;
  // Returns true when the field is new.
  bool Set(std::string_view field, std::string_view value, const EncodingLimits& lim);
  bool Del(std::string_view field);

  template <typename F>  // f(field, value)
  void ForEach(F&& f) const {
    if (table_) {
      table_->ForEach([&](const Blob* b) { f(b->first(), b->second()); });
      return;
    }
    for (uint32_t off = lp_.First(); off != Listpack::kEnd;) {
      uint32_t v = lp_.Next(off);
      f(lp_.Get(off), lp_.Get(v));
      off = lp_.Next(v);
    }
  }
  // HSCAN: listpacks return everything at once (cursor 0), like Redis.
  template <typename F>
  uint64_t Scan(uint64_t cursor, size_t count, F&& f) const {
    if (!table_) {
      ForEach(f);
      return 0;
    }
    return table_->Scan(cursor, count, [&](const Blob* b) { f(b->first(), b->second()); });
  }
  // The i-th pair in iteration order (for HRANDFIELD); i < size().
  void Nth(size_t i, std::string_view* field, std::string_view* value) const;
  // A random pair (the hash must not be empty); O(1) for tables, O(n) for small listpacks.
  void Random(uint64_t r, std::string_view* field, std::string_view* value) const {
    if (table_) {
      const Blob* b = table_->RandomItem(r);
      *field = b->first();
      *value = b->second();
      return;
    }
    Nth(r % size(), field, value);
  }
  const Table* table() const { return table_; }
  size_t MemoryUsage() const;

 // Switches to the big encoding now (COPY keeps the source's encoding, like Redis).
  void ConvertToFull() {
    if (encoding() == Enc::kListpack || encoding() == Enc::kIntset) {
      Convert();
    }
  }

 private:
  void Convert();
  Listpack lp_;
  Table* table_ = nullptr;
};

}  // namespace mr::engine
