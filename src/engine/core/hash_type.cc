// HashObject: listpack <-> table logic.
#include "engine/core/hash_type.h"

namespace mr::engine {

HashObject::~HashObject() {
  if (table_) {
    table_->ForEach([](Blob* b) { Blob::Free(b); });
    Delete(table_);
  }
}

bool HashObject::Get(std::string_view field, std::string_view* value) const {
  if (table_) {
    const Blob* b = table_->Find(field);
    if (!b) {
      return false;
    }
    *value = b->second();
    return true;
  }
  uint32_t off = lp_.Find(field, 2);
  if (off == Listpack::kEnd) {
    return false;
  }
  *value = lp_.Get(lp_.Next(off));
  return true;
}

bool HashObject::Set(std::string_view field, std::string_view value, const EncodingLimits& lim) {
  bool too_long =
      field.size() > lim.hash_listpack_value || value.size() > lim.hash_listpack_value;
  if (!table_ && too_long) {
    Convert();
  }
  if (table_) {
    uint64_t h = Table::Hash(field);
    Table::Pos pos;
    if (table_->Lookup(field, h, &pos)) {
      Blob* old = table_->At(pos);
      table_->Replace(pos, Blob::NewPair(field, value));
      Blob::Free(old);
      return false;
    }
    table_->Insert(Blob::NewPair(field, value), h);
    return true;
  }
  uint32_t off = lp_.Find(field, 2);
  if (off != Listpack::kEnd) {
    lp_.Replace(lp_.Next(off), value);
    return false;
  }
  lp_.PushBack(field);
  lp_.PushBack(value);
  if (lp_.size() / 2 > lim.hash_listpack_entries) {
    Convert();
  }
  return true;
}

bool HashObject::Del(std::string_view field) {
  if (table_) {
    Blob* b = table_->Erase(field, Table::Hash(field));
    if (!b) {
      return false;
    }
    Blob::Free(b);
    return true;
  }
  uint32_t off = lp_.Find(field, 2);
  if (off == Listpack::kEnd) {
    return false;
  }
  lp_.Erase(off, 2);
  return true;
}

void HashObject::Nth(size_t i, std::string_view* field, std::string_view* value) const {
  size_t n = 0;
  bool done = false;
  ForEach([&](std::string_view f, std::string_view v) {
    if (!done && n++ == i) {
      *field = f;
      *value = v;
      done = true;
    }
  });
}

size_t HashObject::MemoryUsage() const {
  size_t n = AllocationSize(this) + lp_.AllocatedBytes();
  if (table_) {
    n += AllocationSize(table_) + table_->capacity() * sizeof(uint64_t);
    table_->ForEach([&](const Blob* b) { n += AllocationSize(b); });
  }
  return n;
}

void HashObject::Convert() {
  auto* t = New<Table>();
  for (uint32_t off = lp_.First(); off != Listpack::kEnd;) {
    uint32_t v = lp_.Next(off);
    std::string_view f = lp_.Get(off);
    t->Insert(Blob::NewPair(f, lp_.Get(v)), Table::Hash(f));
    off = lp_.Next(v);
  }
  lp_.~Listpack();
  new (&lp_) Listpack();
  table_ = t;
}

}  // namespace mr::engine
