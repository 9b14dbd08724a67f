// Db: keeping the key and volatile tables in step, lazy and sampled expiry.
#include "engine/core/db.h"

#include "engine/core/hash_type.h"
#include "engine/core/list_type.h"
#include "engine/core/set_type.h"
#include "engine/core/zset_type.h"

namespace mr::engine {

void FreeEntry(Entry* e) {
  switch (e->type()) {
    case ObjType::kString:
      break;
    case ObjType::kList:
      Delete(e->obj<ListObject>());
      break;
    case ObjType::kSet:
      Delete(e->obj<SetObject>());
      break;
    case ObjType::kZSet:
      Delete(e->obj<ZSetObject>());
      break;
    case ObjType::kHash:
      Delete(e->obj<HashObject>());
      break;
  }
  Entry::FreeBlock(e);
}

void Db::Add(Entry* e, uint64_t h) {
  keys_.Insert(e, h);
  if (e->has_expire()) {
    volatile_.Insert(e, h);
  }
}

void Db::Update(Pos pos, Entry* old_e, Entry* e) {
  if (old_e == e) {
    return;
  }
  keys_.Replace(pos, e);
  if (e->has_expire()) {
    // old_e is usually freed by now: find its volatile slot by address, never by its key.
    Table::Pos vpos;
    if (volatile_.LookupItem(old_e, Hash(e->key()), &vpos)) {
      volatile_.Replace(vpos, e);
    }
  }
}

Entry* Db::Detach(Pos pos) {
  Entry* e = keys_.At(pos);
  if (e->has_expire()) {
    volatile_.Erase(e->key(), Hash(e->key()));
  }
  keys_.EraseAt(pos);
  return e;
}

void Db::Delete(Pos pos) { FreeEntry(Detach(pos)); }

void Db::Expire(Pos pos) {
  Entry* e = keys_.At(pos);
  if (hook_ != nullptr) {
    hook_(hook_ctx_, this, e->key());
  }
  expired_keys++;
  Delete(pos);
}

void Db::Evict(Pos pos) {
  Entry* e = keys_.At(pos);
  if (hook_ != nullptr) {
    hook_(hook_ctx_, this, e->key());
  }
  evicted_keys++;
  Delete(pos);
}

Entry* Db::SetExpire(Pos pos, int64_t ms) {
  Entry* e = keys_.At(pos);
  if (e->has_expire()) {
    e->set_expire_ms(ms);
    return e;
  }
  Entry* n = Entry::SetExpire(e, ms);
  keys_.Replace(pos, n);
  volatile_.Insert(n, Hash(n->key()));
  return n;
}

Entry* Db::Persist(Pos pos) {
  Entry* e = keys_.At(pos);
  if (!e->has_expire()) {
    return e;
  }
  volatile_.Erase(e->key(), Hash(e->key()));
  Entry* n = Entry::ClearExpire(e);
  keys_.Replace(pos, n);
  return n;
}

void Db::Clear() {
  keys_.ForEach([](Entry* e) { FreeEntry(e); });
  keys_.Clear();
  volatile_.Clear();
}

size_t Db::ExpireSample(int64_t now_ms, size_t samples, uint64_t* rng) {
  size_t expired = 0;
  int64_t ttl_sum = 0;
  size_t ttl_n = 0;
  for (size_t i = 0; i < samples && volatile_.size() > 0; ++i) {
    Entry* e = volatile_.RandomItem(NextRandom(rng));
    if (e == nullptr) {
      break;
    }
    if (now_ms > e->expire_ms()) {
      Pos pos;
      std::string_view key = e->key();
      if (keys_.Lookup(key, Hash(key), &pos)) {
        Expire(pos);
        expired++;
      }
    } else {
      ttl_sum += e->expire_ms() - now_ms;
      ttl_n++;
    }
  }
  if (ttl_n > 0) {
    int64_t avg = ttl_sum / static_cast<int64_t>(ttl_n);
    avg_ttl_ms = avg_ttl_ms == 0 ? avg : (avg_ttl_ms / 50) * 49 + avg / 50;
  }
  return expired;
}

}  // namespace mr::engine
