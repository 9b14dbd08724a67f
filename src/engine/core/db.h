// One logical database (SELECT n): the key table, a second table over the same entries that
// holds only keys with a TTL (sampled by active expiry and volatile-* eviction), lazy expiry.
#pragma once

#include <cstdint>
#include <string_view>

#include "engine/core/dense_table.h"
#include "engine/core/entry.h"

namespace mr::engine {

/// Frees an entry block and the typed object it points to.
void FreeEntry(Entry* e);

class Db {
 public:
  using Table = DenseTable<Entry, EntryKey>;
  using Pos = Table::Pos;
  // Called before a key is removed by expiry or eviction (WATCH invalidation, stats).
  using DeleteHook = void (*)(void* ctx, Db* db, std::string_view key);

  Db() = default;
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;
  ~Db() { Clear(); }

  static uint64_t Hash(std::string_view key) { return Table::Hash(key); }

  Entry* FindRaw(std::string_view key, uint64_t h, Pos* pos) const {
    return keys_.Lookup(key, h, pos) ? keys_.At(*pos) : nullptr;
  }
  // Lazy expiry: a key whose time has passed is deleted and reported absent.
  Entry* Find(std::string_view key, uint64_t h, int64_t now_ms, Pos* pos) {
    if (keys_.rehashing()) {  // like Redis, lookups also move the resize forward
      keys_.RehashStep(1);
    }
    Entry* e = FindRaw(key, h, pos);
    if (e != nullptr && e->has_expire() && now_ms > e->expire_ms()) {
      Expire(*pos);
      return nullptr;
    }
    return e;
  }
  Entry* Find(std::string_view key, int64_t now_ms) {
    Pos pos;
    return Find(key, Hash(key), now_ms, &pos);
  }

  void Add(Entry* e, uint64_t h);
  // The entry at pos was reallocated from `old_e` (same key) to `e`.
  void Update(Pos pos, Entry* old_e, Entry* e);
  void Delete(Pos pos);
  Entry* Detach(Pos pos);  // unlinks without freeing
  Entry* SetExpire(Pos pos, int64_t ms);
  Entry* Persist(Pos pos);
  void Expire(Pos pos);  // delete because of TTL: counts and calls the hook
  void Evict(Pos pos);   // delete because of maxmemory: calls the hook
  void Clear();

  size_t size() const { return keys_.size(); }
  size_t volatile_size() const { return volatile_.size(); }
  const Table& keys() const { return keys_; }
  const Table& volatile_keys() const { return volatile_; }
  // Presizes an empty database's tables (RESIZEDB while loading a snapshot).
  void Reserve(size_t keys, size_t expires) {
    keys_.Reserve(keys);
    volatile_.Reserve(expires);
  }
  void RehashStep(size_t n) {
    keys_.RehashStep(n);
    volatile_.RehashStep(n);
  }

  // Samples up to `samples` volatile keys and expires the dead ones; returns how many expired.
  size_t ExpireSample(int64_t now_ms, size_t samples, uint64_t* rng);

  void set_delete_hook(DeleteHook hook, void* ctx) {
    hook_ = hook;
    hook_ctx_ = ctx;
  }
  uint64_t expired_keys = 0;
  uint64_t evicted_keys = 0;
  int64_t avg_ttl_ms = 0;

 private:
  Table keys_;
  Table volatile_;
  DeleteHook hook_ = nullptr;
  void* hook_ctx_ = nullptr;
};

/// Redis' glob matcher (stringmatchlen semantics: * ? [a-z] [^x] \x, optional nocase).
bool GlobMatch(std::string_view pattern, std::string_view s, bool nocase = false);

inline uint64_t NextRandom(uint64_t* s) {
  uint64_t x = *s;
  x ^= x << 13;
  x ^= x >> 7;
  x ^= x << 17;
  *s = x;
  return x * 0x2545F4914F6CDD1Dull;
}

}  // namespace mr::engine
