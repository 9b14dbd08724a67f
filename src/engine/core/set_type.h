// Redis set values: an intset while all members are integers and there are at most
// set-max-intset-entries of them, a DenseTable of member blocks above (Redis 7.0 encodings).
#pragma once

#include <string>
#include <string_view>

#include "engine/core/blob.h"
#include "engine/core/dense_table.h"
#include "engine/core/entry.h"
#include "engine/core/hash_type.h"
#include "engine/core/listpack.h"

namespace mr::engine {

class SetObject {
 public:
  using Table = DenseTable<Blob, BlobKey>;
  SetObject() = default;
  ~SetObject();

  Enc encoding() const { return table_ ? Enc::kHashtable : Enc::kIntset; }
  size_t size() const { return table_ ? table_->size() : ints_.size(); }
  bool Contains(std::string_view m) const;
  bool Add(std::string_view m, const EncodingLimits& lim);
  bool Remove(std::string_view m);
  // A random member copied into *out (the set must not be empty).
  void Random(uint64_t r, std::string* out) const;
  size_t MemoryUsage() const;

  template <typename F>  // f(member)
  void ForEach(F&& f) const {
    if (table_) {
      table_->ForEach([&](const Blob* b) { f(b->first()); });
      return;
    }
    char buf[24];
    for (uint32_t i = 0; i < ints_.size(); ++i) {
      f(std::string_view(buf, FormatInt64(ints_.Get(i), buf)));
    }
  }
  template <typename F>
  uint64_t Scan(uint64_t cursor, size_t count, F&& f) const {
    if (!table_) {
      ForEach(f);
      return 0;
    }
    return table_->Scan(cursor, count, [&](const Blob* b) { f(b->first()); });
  }

 // Switches to the big encoding now (COPY keeps the source's encoding, like Redis).
  void ConvertToFull() {
    if (encoding() == Enc::kListpack || encoding() == Enc::kIntset) {
      Convert();
    }
  }

 private:
  void Convert();
  IntSet ints_;
  Table* table_ = nullptr;
};

}  // namespace mr::engine
