// CloneEntry and EntryMemoryUsage for every type.
#include "engine/core/objects.h"

#include <string>

#include "engine/core/list_type.h"
#include "engine/core/memory.h"
#include "engine/core/set_type.h"
#include "engine/core/zset_type.h"

namespace mr::engine {

Entry* CloneEntry(const Entry* e, std::string_view key, const EncodingLimits& lim) {
  switch (e->type()) {
    case ObjType::kString:
      if (e->is_int()) {
        return Entry::NewInt(key, e->int_value());
      }
      return Entry::NewString(key, e->str(), e->enc() == Enc::kRaw, false);  // keep encoding
    case ObjType::kHash: {
      auto* h = New<HashObject>();
      if (e->enc() == Enc::kHashtable) {
        h->ConvertToFull();
      }
      e->obj<HashObject>()->ForEach(
          [&](std::string_view f, std::string_view v) { h->Set(f, v, lim); });
      return Entry::NewObject(key, ObjType::kHash, h->encoding(), h);
    }
    case ObjType::kSet: {
      auto* s = New<SetObject>();
      if (e->enc() == Enc::kHashtable) {
        s->ConvertToFull();
      }
      e->obj<SetObject>()->ForEach([&](std::string_view m) { s->Add(m, lim); });
      return Entry::NewObject(key, ObjType::kSet, s->encoding(), s);
    }
    case ObjType::kList: {
      auto* l = New<ListObject>();
      const ListObject* src = e->obj<ListObject>();
      src->ForRange(0, src->size(), [&](size_t, std::string_view v) {
        l->Push(v, false, lim);
        return true;
      });
      return Entry::NewObject(key, ObjType::kList, Enc::kQuicklist, l);
    }
    case ObjType::kZSet: {
      auto* z = New<ZSetObject>();
      if (e->enc() == Enc::kSkiplist) {
        z->ConvertToFull();
      }
      const ZSetObject* src = e->obj<ZSetObject>();
      src->ForRank(0, src->size(), false, [&](std::string_view m, double s) {
        z->Insert(m, s, lim);
        return true;
      });
      return Entry::NewObject(key, ObjType::kZSet, z->encoding(), z);
    }
  }
  return nullptr;
}

size_t EntryMemoryUsage(const Entry* e) {
  size_t n = AllocationSize(e) + sizeof(uint64_t);
  switch (e->type()) {
    case ObjType::kString:
      break;
    case ObjType::kHash:
      n += e->obj<HashObject>()->MemoryUsage();
      break;
    case ObjType::kSet:
      n += e->obj<SetObject>()->MemoryUsage();
      break;
    case ObjType::kList:
      n += e->obj<ListObject>()->MemoryUsage();
      break;
    case ObjType::kZSet:
      n += e->obj<ZSetObject>()->MemoryUsage();
      break;
  }
  return n;
}

}  // namespace mr::engine
