// ListObject: single listpack while small, chunked listpacks above.
#include "engine/core/list_type.h"

namespace mr::engine {

ListObject::~ListObject() { Delete(big_); }

void ListObject::MaybeConvert(std::string_view v, const EncodingLimits& lim) {
  if (big_ || (v.size() <= lim.list_listpack_value && lp_.size() < lim.list_listpack_entries)) {
    return;
  }
  big_ = New<Chunks>();
  count_ = lp_.size();
  if (count_ > 0) {
    big_->push_back(std::move(lp_));
  }
  lp_ = Listpack();
}

ListObject::Loc ListObject::Locate(size_t i) const {
  Loc l;
  if (!big_) {
    l.chunk = &lp_;
    l.off = lp_.At(static_cast<int64_t>(i));
    if (l.off == Listpack::kEnd) {
      l.chunk = nullptr;
    }
    return l;
  }
  if (i >= count_) {
    return l;
  }
  if (i < count_ / 2) {
    size_t idx = 0;
    while (i >= (*big_)[idx].size()) {
      i -= (*big_)[idx].size();
      idx++;
    }
    l.idx = idx;
  } else {
    size_t from_end = count_ - 1 - i;
    size_t idx = big_->size() - 1;
    while (from_end >= (*big_)[idx].size()) {
      from_end -= (*big_)[idx].size();
      idx--;
    }
    l.idx = idx;
    i = (*big_)[idx].size() - 1 - from_end;
  }
  l.chunk = &(*big_)[l.idx];
  l.off = l.chunk->At(static_cast<int64_t>(i));
  return l;
}

void ListObject::Advance(Loc* l) const {
  l->off = l->chunk->Next(l->off);
  if (l->off != Listpack::kEnd) {
    return;
  }
  if (big_ && l->idx + 1 < big_->size()) {
    l->idx++;
    l->chunk = &(*big_)[l->idx];
    l->off = l->chunk->First();
    return;
  }
  l->chunk = nullptr;
}

void ListObject::Retreat(Loc* l) const {
  l->off = l->chunk->Prev(l->off);
  if (l->off != Listpack::kEnd) {
    return;
  }
  if (big_ && l->idx > 0) {
    l->idx--;
    l->chunk = &(*big_)[l->idx];
    l->off = l->chunk->Last();
    return;
  }
  l->chunk = nullptr;
}

void ListObject::Push(std::string_view v, bool front, const EncodingLimits& lim) {
  MaybeConvert(v, lim);
  if (!big_) {
    front ? lp_.PushFront(v) : lp_.PushBack(v);
    return;
  }
  size_t need = Listpack::ElementSize(v.size());
  Listpack* end = big_->empty() ? nullptr : (front ? &big_->front() : &big_->back());
  if (end == nullptr || end->bytes() + need > kChunkBytes) {
    if (front) {
      big_->emplace_front();
      end = &big_->front();
    } else {
      big_->emplace_back();
      end = &big_->back();
    }
  }
  front ? end->PushFront(v) : end->PushBack(v);
  count_++;
}

bool ListObject::Pop(bool front, std::string* out) {
  if (size() == 0) {
    return false;
  }
  Listpack& lp = big_ ? (front ? big_->front() : big_->back()) : lp_;
  uint32_t off = front ? lp.First() : lp.Last();
  out->assign(lp.Get(off));
  lp.Erase(off, 1);
  if (big_) {
    count_--;
    if (lp.size() == 0) {
      front ? big_->pop_front() : big_->pop_back();
    }
  }
  return true;
}

bool ListObject::Index(int64_t i, std::string* out) const {
  int64_t n = static_cast<int64_t>(size());
  if (i < 0) {
    i += n;
  }
  if (i < 0 || i >= n) {
    return false;
  }
  Loc l = Locate(static_cast<size_t>(i));
  out->assign(l.chunk->Get(l.off));
  return true;
}

bool ListObject::Set(int64_t i, std::string_view v, const EncodingLimits& lim) {
  int64_t n = static_cast<int64_t>(size());
  if (i < 0) {
    i += n;
  }
  if (i < 0 || i >= n) {
    return false;
  }
  if (!big_ && v.size() > lim.list_listpack_value) {
    MaybeConvert(v, lim);
  }
  Loc l = Locate(static_cast<size_t>(i));
  ChunkAt(l).Replace(l.off, v);
  return true;
}

void ListObject::SplitIfLarge(size_t idx) {
  Listpack& lp = (*big_)[idx];
  if (lp.bytes() <= 2 * kChunkBytes || lp.size() < 2) {
    return;
  }
  uint32_t half = lp.size() / 2;
  uint32_t off = lp.At(half);
  Listpack tail;
  for (uint32_t o = off; o != Listpack::kEnd; o = lp.Next(o)) {
    tail.PushBack(lp.Get(o));
  }
  lp.Erase(off, lp.size() - half);
  big_->insert(big_->begin() + static_cast<ptrdiff_t>(idx) + 1, std::move(tail));
}

void ListObject::InsertAt(size_t i, std::string_view v, const EncodingLimits& lim) {
  MaybeConvert(v, lim);
  if (i >= size()) {
    return Push(v, false, lim);
  }
  Loc l = Locate(i);
  ChunkAt(l).Insert(l.off, v);
  if (big_) {
    count_++;
    SplitIfLarge(l.idx);
  }
}

void ListObject::EraseRange(size_t start, size_t n) {
  while (n > 0 && start < size()) {
    Loc l = Locate(start);
    Listpack& lp = ChunkAt(l);
    size_t pos_in_chunk = 0;
    for (uint32_t o = lp.First(); o != l.off; o = lp.Next(o)) {
      pos_in_chunk++;
    }
    uint32_t take = static_cast<uint32_t>(std::min<size_t>(n, lp.size() - pos_in_chunk));
    lp.Erase(l.off, take);
    n -= take;
    if (big_) {
      count_ -= take;
      if (lp.size() == 0) {
        big_->erase(big_->begin() + static_cast<ptrdiff_t>(l.idx));
      }
    }
  }
}

void ListObject::EraseAt(size_t i) { EraseRange(i, 1); }

void ListObject::Trim(size_t start, size_t count) {
  size_t n = size();
  if (start >= n || count == 0) {
    EraseRange(0, n);
    return;
  }
  size_t keep_end = std::min(n, start + count);
  EraseRange(keep_end, n - keep_end);
  EraseRange(0, start);
}

size_t ListObject::MemoryUsage() const {
  size_t n = AllocationSize(this) + lp_.AllocatedBytes();
  if (big_) {
    n += AllocationSize(big_) + 512 * (big_->size() / 64 + 1);
    for (const Listpack& lp : *big_) {
      n += lp.AllocatedBytes();
    }
  }
  return n;
}

}  // namespace mr::engine
