// Redis list values: one listpack while small, then a deque of listpack chunks of ~8 KB (Redis'
// quicklist with list-max-listpack-size -2). Both report "quicklist" as Redis 7.0 does.
#pragma once

#include <deque>
#include <string>
#include <string_view>

#include "engine/core/hash_type.h"
#include "engine/core/listpack.h"
#include "engine/core/memory.h"

namespace mr::engine {

class ListObject {
 public:
  using Chunks = std::deque<Listpack, Allocator<Listpack>>;
  static constexpr uint32_t kChunkBytes = 8192;

  ListObject() = default;
  ~ListObject();

  bool compact() const { return big_ == nullptr; }
  size_t size() const { return big_ ? count_ : lp_.size(); }
  void Push(std::string_view v, bool front, const EncodingLimits& lim);
  bool Pop(bool front, std::string* out);
  bool Index(int64_t i, std::string* out) const;  // negative from tail
  bool Set(int64_t i, std::string_view v, const EncodingLimits& lim);
  void InsertAt(size_t i, std::string_view v, const EncodingLimits& lim);  // i <= size()
  void EraseAt(size_t i);
  void Trim(size_t start, size_t count);  // keeps [start, start+count)
  size_t MemoryUsage() const;

  template <typename F>  // f(index, value) -> bool continue; visits [start, end]
  void ForRange(size_t start, size_t end, F&& f) const {
    if (start >= size()) {
      return;
    }
    Loc l = Locate(start);
    for (size_t i = start; i <= end && l.chunk != nullptr; ++i) {
      if (!f(i, l.chunk->Get(l.off))) {
        return;
      }
      Advance(&l);
    }
  }
  template <typename F>  // reverse: from `start` down to `end`
  void ForRangeRev(size_t start, size_t end, F&& f) const {
    if (start >= size()) {
      return;
    }
    Loc l = Locate(start);
    for (size_t i = start + 1; i-- > end && l.chunk != nullptr;) {
      if (!f(i, l.chunk->Get(l.off))) {
        return;
      }
      Retreat(&l);
    }
  }

 private:
  struct Loc {
    const Listpack* chunk = nullptr;
    size_t idx = 0;  // chunk index in big_ (0 in compact mode)
    uint32_t off = Listpack::kEnd;
  };
  Loc Locate(size_t i) const;
  void Advance(Loc* l) const;
  void Retreat(Loc* l) const;
  Listpack& ChunkAt(const Loc& l) { return big_ ? (*big_)[l.idx] : lp_; }
  void MaybeConvert(std::string_view v, const EncodingLimits& lim);
  void EraseRange(size_t start, size_t n);
  void SplitIfLarge(size_t idx);

  Listpack lp_;
  Chunks* big_ = nullptr;
  size_t count_ = 0;  // elements in big_
};

}  // namespace mr::engine
