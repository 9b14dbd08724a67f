// A connection's query buffer: bytes read but not yet parsed, in one contiguous block the RESP
// parser can view. Grows without zero-filling (a 512 MB bulk must not cost a memset).
#pragma once

#include <cstddef>
#include <cstring>
#include <memory>
#include <string_view>

namespace mr::redis_server {

class InputBuffer {
 public:
  static constexpr size_t kInitial = 16 * 1024;  // Redis' PROTO_IOBUF_LEN

  std::string_view unparsed() const { return {data_.get() + start_, end_ - start_}; }
  size_t size() const { return end_ - start_; }
  size_t capacity() const { return cap_; }
  char* write_ptr() { return data_.get() + end_; }
  size_t writable() const { return cap_ - end_; }

  void Commit(size_t n) { end_ += n; }
  /// Drops parsed bytes; an empty buffer restarts at offset 0 so reads land at the front.
  void Consume(size_t n) {
    start_ += n;
    if (start_ == end_) {
      start_ = end_ = 0;
    }
  }

  /// Makes room for at least `min_free` more bytes after the unparsed ones, moving them to the
  /// front (the parser allows the buffer to move as long as its first byte stays the same).
  void Reserve(size_t min_free) {
    if (data_ == nullptr) {
      Reallocate(min_free > kInitial ? min_free : kInitial);
      return;
    }
    if (cap_ - end_ >= min_free) {
      return;
    }
    size_t used = end_ - start_;
    if (cap_ - used >= min_free && start_ > 0) {
      std::memmove(data_.get(), data_.get() + start_, used);
      start_ = 0;
      end_ = used;
      return;
    }
    size_t want = used + min_free;
    size_t grown = cap_ * 2;
    Reallocate(want > grown ? want : grown);
  }

  void Append(std::string_view bytes) {
    Reserve(bytes.size());
    std::memcpy(write_ptr(), bytes.data(), bytes.size());
    Commit(bytes.size());
  }

  /// Returns memory after a big argument once nothing is pending.
  void ShrinkIfIdle() {
    if (start_ == end_ && cap_ > 4 * kInitial) {
      data_.reset();
      cap_ = start_ = end_ = 0;
    }
  }

 private:
  void Reallocate(size_t cap) {
    auto fresh = std::make_unique_for_overwrite<char[]>(cap);
    size_t used = end_ - start_;
    if (used > 0) {
      std::memcpy(fresh.get(), data_.get() + start_, used);
    }
    data_ = std::move(fresh);
    cap_ = cap;
    start_ = 0;
    end_ = used;
  }

  std::unique_ptr<char[]> data_;
  size_t cap_ = 0;
  size_t start_ = 0;
  size_t end_ = 0;
};

}  // namespace mr::redis_server
