// SetObject: intset <-> table logic.
#include "engine/core/set_type.h"

namespace mr::engine {

SetObject::~SetObject() {
  if (table_) {
    table_->ForEach([](Blob* b) { Blob::Free(b); });
    Delete(table_);
  }
}

bool SetObject::Contains(std::string_view m) const {
  if (table_) {
    return table_->Find(m) != nullptr;
  }
  int64_t v;
  return ParseInt64(m, &v) && ints_.Contains(v);
}

bool SetObject::Add(std::string_view m, const EncodingLimits& lim) {
  if (!table_) {
    int64_t v;
    if (ParseInt64(m, &v)) {
      if (!ints_.Add(v)) {
        return false;
      }
      if (ints_.size() > lim.set_intset_entries) {
        Convert();
      }
      return true;
    }
    Convert();
  }
  uint64_t h = Table::Hash(m);
  if (table_->Find(m, h)) {
    return false;
  }
  table_->Insert(Blob::New(m), h);
  return true;
}

bool SetObject::Remove(std::string_view m) {
  if (table_) {
    Blob* b = table_->Erase(m, Table::Hash(m));
    if (!b) {
      return false;
    }
    Blob::Free(b);
    return true;
  }
  int64_t v;
  return ParseInt64(m, &v) && ints_.Remove(v);
}

void SetObject::Random(uint64_t r, std::string* out) const {
  if (table_) {
    out->assign(table_->RandomItem(r)->first());
    return;
  }
  char buf[24];
  out->assign(buf, FormatInt64(ints_.Get(static_cast<uint32_t>(r % ints_.size())), buf));
}

size_t SetObject::MemoryUsage() const {
  size_t n = AllocationSize(this) + ints_.size() * sizeof(int64_t);
  if (table_) {
    n += AllocationSize(table_) + table_->capacity() * sizeof(uint64_t);
    table_->ForEach([&](const Blob* b) { n += AllocationSize(b); });
  }
  return n;
}

void SetObject::Convert() {
  auto* t = New<Table>();
  char buf[24];
  for (uint32_t i = 0; i < ints_.size(); ++i) {
    std::string_view m(buf, FormatInt64(ints_.Get(i), buf));
    t->Insert(Blob::New(m), Table::Hash(m));
  }
  ints_.~IntSet();
  new (&ints_) IntSet();
  table_ = t;
}

}  // namespace mr::engine
