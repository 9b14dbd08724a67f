// Listpack and IntSet implementations.
#include "engine/core/listpack.h"

#include <algorithm>
#include <cstring>

#include "engine/core/memory.h"

namespace mr::engine {

Listpack::~Listpack() { Deallocate(buf_); }

void Listpack::Resize(uint32_t bytes) {
  if (buf_ == nullptr) {
    buf_ = static_cast<uint8_t*>(Allocate(bytes));
    Header()[0] = kHeader;
    Header()[1] = 0;
    return;
  }
  buf_ = static_cast<uint8_t*>(Reallocate(buf_, bytes));
}

uint32_t Listpack::Last() const { return size() == 0 ? kEnd : Prev(bytes()); }

uint32_t Listpack::Next(uint32_t off) const {
  uint32_t n = off + static_cast<uint32_t>(ElementSize(Get(off).size()));
  return n >= bytes() ? kEnd : n;
}

uint32_t Listpack::Prev(uint32_t off) const {
  if (off == kEnd) {
    return Last();
  }
  if (off == kHeader) {
    return kEnd;
  }
  uint8_t tail = buf_[off - 1];
  if (tail != 0xFF) {
    return off - 2 - tail;
  }
  uint32_t len;
  std::memcpy(&len, buf_ + off - 5, 4);
  return off - 10 - len;
}

uint32_t Listpack::At(int64_t index) const {
  int64_t n = size();
  if (index < 0) {
    index += n;
  }
  if (index < 0 || index >= n) {
    return kEnd;
  }
  if (index <= n / 2) {
    uint32_t off = First();
    while (index-- > 0) {
      off = Next(off);
    }
    return off;
  }
  uint32_t off = Last();
  for (int64_t i = n - 1; i > index; --i) {
    off = Prev(off);
  }
  return off;
}

void Listpack::Insert(uint32_t off, std::string_view s) {
  uint32_t len = static_cast<uint32_t>(s.size());
  uint32_t esize = static_cast<uint32_t>(ElementSize(len));
  uint32_t old = bytes();
  if (buf_ == nullptr) {
    Resize(kHeader + esize);
    old = kHeader;
  } else {
    Resize(old + esize);
  }
  if (off == kEnd) {
    off = old;
  }
  std::memmove(buf_ + off + esize, buf_ + off, old - off);
  uint8_t* p = buf_ + off;
  if (len < 255) {
    p[0] = static_cast<uint8_t>(len);
    p[1 + len] = static_cast<uint8_t>(len);
    p += 1;
  } else {
    p[0] = 0xFF;
    std::memcpy(p + 1, &len, 4);
    std::memcpy(p + 5 + len, &len, 4);
    p[9 + len] = 0xFF;
    p += 5;
  }
  if (len > 0) {
    std::memcpy(p, s.data(), len);
  }
  Header()[0] = old + esize;
  Header()[1]++;
}

void Listpack::Erase(uint32_t off, uint32_t count) {
  uint32_t end = off;
  uint32_t n = 0;
  while (n < count && end < bytes()) {
    end += static_cast<uint32_t>(ElementSize(Get(end).size()));
    n++;
  }
  std::memmove(buf_ + off, buf_ + end, bytes() - end);
  Header()[0] -= end - off;
  Header()[1] -= n;
  if (Header()[1] == 0) {
    Deallocate(buf_);
    buf_ = nullptr;
  } else if (AllocatedBytes() > 2 * bytes() + 64) {
    Resize(bytes());
  }
}

void Listpack::Replace(uint32_t off, std::string_view s) {
  std::string_view cur = Get(off);
  if (cur.size() == s.size()) {
    if (!s.empty()) {
      std::memcpy(const_cast<char*>(cur.data()), s.data(), s.size());
    }
    return;
  }
  Erase(off, 1);
  Insert(buf_ == nullptr || off >= bytes() ? kEnd : off, s);
}

uint32_t Listpack::Find(std::string_view s, uint32_t step) const {
  for (uint32_t off = First(); off != kEnd;) {
    if (Get(off) == s) {
      return off;
    }
    for (uint32_t i = 0; i < step && off != kEnd; ++i) {
      off = Next(off);
    }
  }
  return kEnd;
}

size_t Listpack::AllocatedBytes() const { return buf_ ? AllocationSize(buf_) : 0; }

IntSet::~IntSet() { Deallocate(data_); }

uint32_t IntSet::Find(int64_t v, bool* found) const {
  const int64_t* it = std::lower_bound(data_, data_ + size_, v);
  *found = it != data_ + size_ && *it == v;
  return static_cast<uint32_t>(it - data_);
}

bool IntSet::Contains(int64_t v) const {
  bool found;
  Find(v, &found);
  return found;
}

bool IntSet::Add(int64_t v) {
  bool found;
  uint32_t i = Find(v, &found);
  if (found) {
    return false;
  }
  if (size_ == cap_) {
    cap_ = cap_ == 0 ? 4 : cap_ * 2;
    data_ = static_cast<int64_t*>(Reallocate(data_, cap_ * sizeof(int64_t)));
  }
  std::memmove(data_ + i + 1, data_ + i, (size_ - i) * sizeof(int64_t));
  data_[i] = v;
  size_++;
  return true;
}

bool IntSet::Remove(int64_t v) {
  bool found;
  uint32_t i = Find(v, &found);
  if (!found) {
    return false;
  }
  std::memmove(data_ + i, data_ + i + 1, (size_ - i - 1) * sizeof(int64_t));
  size_--;
  if (size_ == 0) {
    Deallocate(data_);
    data_ = nullptr;
    cap_ = 0;
  }
  return true;
}

}  // namespace mr::engine
