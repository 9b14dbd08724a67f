// Compact sequence of strings in one heap block, used for small lists, hashes and zsets and for the
// chunks of big lists. An element is [len][bytes][len] with a 1-byte len below 255, or
// [0xFF][u32 len][bytes][u32 len][0xFF] above, so it can be walked in both directions.
#pragma once

#include <cstdint>
#include <cstring>
#include <utility>
#include <string_view>

namespace mr::engine {

class Listpack {
 public:
  static size_t ElementSize(size_t len) { return len < 255 ? len + 2 : len + 10; }
  static constexpr uint32_t kEnd = 0xFFFFFFFFu;

  Listpack() = default;
  Listpack(const Listpack&) = delete;
  Listpack& operator=(const Listpack&) = delete;
  Listpack(Listpack&& o) noexcept : buf_(o.buf_) { o.buf_ = nullptr; }
  Listpack& operator=(Listpack&& o) noexcept {
    std::swap(buf_, o.buf_);
    return *this;
  }
  ~Listpack();

  uint32_t size() const { return buf_ ? Header()[1] : 0; }
  uint32_t bytes() const { return buf_ ? Header()[0] : 0; }

  // Offsets address elements: First() .. kEnd.
  uint32_t First() const { return size() > 0 ? kHeader : kEnd; }
  uint32_t Last() const;
  uint32_t Next(uint32_t off) const;
  uint32_t Prev(uint32_t off) const;
  uint32_t At(int64_t index) const;  // negative = from the tail; kEnd when out of range
  std::string_view Get(uint32_t off) const {
    if (buf_[off] != 0xFF) {
      return {reinterpret_cast<const char*>(buf_ + off + 1), buf_[off]};
    }
    uint32_t len;
    std::memcpy(&len, buf_ + off + 1, 4);
    return {reinterpret_cast<const char*>(buf_ + off + 5), len};
  }

  void Insert(uint32_t off, std::string_view s);  // before `off`; kEnd appends
  void PushBack(std::string_view s) { Insert(kEnd, s); }
  void PushFront(std::string_view s) { Insert(First(), s); }
  void Erase(uint32_t off, uint32_t count = 1);   // `count` consecutive elements
  void Replace(uint32_t off, std::string_view s);
  // Finds s at element positions off, off+step, ...; kEnd if absent.
  uint32_t Find(std::string_view s, uint32_t step = 1) const;
  size_t AllocatedBytes() const;

 private:
  static constexpr uint32_t kHeader = 8;  // [bytes:4][count:4]
  uint32_t* Header() const { return reinterpret_cast<uint32_t*>(buf_); }
  void Resize(uint32_t bytes);

  uint8_t* buf_ = nullptr;
};

// Sorted array of integers (Redis' intset for sets of integers).
class IntSet {
 public:
  IntSet() = default;
  IntSet(const IntSet&) = delete;
  IntSet& operator=(const IntSet&) = delete;
  ~IntSet();

  uint32_t size() const { return size_; }
  bool Contains(int64_t v) const;
  bool Add(int64_t v);
  bool Remove(int64_t v);
  int64_t Get(uint32_t i) const { return data_[i]; }

 private:
  uint32_t Find(int64_t v, bool* found) const;
  int64_t* data_ = nullptr;
  uint32_t size_ = 0;
  uint32_t cap_ = 0;
};

}  // namespace mr::engine
