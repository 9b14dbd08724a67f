// Open-addressing hash table whose slot is one 64-bit word: a 48-bit pointer to the caller's heap
// block plus 16 hash bits as a tag. Used for the keyspace and for big hashes, sets and zsets.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "engine/core/hash.h"
#include "engine/core/memory.h"

namespace mr::engine {

// Design notes (why, not what):
// - Linear probing indexed by the TOP bits of the hash keeps items roughly in hash order. SCAN's
//   cursor is a 32-bit hash prefix, so it stays valid across growth, shrink and rehash: an item
//   present for the whole iteration is returned exactly once.
// - Deletion is backward-shift (no tombstones), so probe lengths never degrade.
// - Resizing is incremental like Redis: inserts go to the new array while each mutation (and the
//   shard's cron via RehashStep) migrates a few slots of the old one. The old array is seen as the
//   ring [lo, cap): migrated slots below `lo` are skipped by probes, so lookups stay correct.
// - Items own their key; KeyOf maps an item to its key. Hashes are recomputed (not stored) when
//   items move, trading a few cycles on resize/delete for 8 bytes per item.
// - Each table multiplies the key hash by its own random odd number before using it. Items sit
//   in (mixed) hash order, so inserting them in another table's order would otherwise pile them
//   at the front of every array a growing table allocates, making each insert a long probe: a
//   client copying keys in SCAN order (SCAN + DUMP/RESTORE, our own snapshots) went quadratic.
template <typename T, typename KeyOf>
class DenseTable {
 public:
  struct Pos {
    size_t idx = 0;
    bool old = false;
  };
  static constexpr uint64_t kScanEnd = 1ull << 32;

  DenseTable() : mult_(NextMultiplier()) {}
  DenseTable(const DenseTable&) = delete;
  DenseTable& operator=(const DenseTable&) = delete;
  ~DenseTable() { Clear(); }

  size_t size() const { return main_.size + old_.size; }
  bool empty() const { return size() == 0; }
  bool rehashing() const { return old_.slots != nullptr; }
  size_t capacity() const { return main_.cap + old_.cap; }

  static uint64_t Hash(std::string_view key) { return HashBytes(key); }

  bool Lookup(std::string_view key, uint64_t raw, Pos* pos) const {
    const uint64_t h = Mix(raw);
    if (old_.size > 0) {
      size_t i = FindIn(old_, key, h);
      if (i != kNpos) {
        *pos = Pos{i, true};
        return true;
      }
    }
    size_t i = FindIn(main_, key, h);
    if (i == kNpos) {
      return false;
    }
    *pos = Pos{i, false};
    return true;
  }

  // Finds the slot holding exactly `item` (hashed as h) without reading it: the block may have
  // been reallocated and freed already (Db::Update fixes the volatile index after that).
  bool LookupItem(const T* item, uint64_t raw, Pos* pos) const {
    const uint64_t h = Mix(raw);
    for (bool old : {true, false}) {
      const Arr& a = old ? old_ : main_;
      size_t ring = a.cap - a.lo;
      size_t i = a.size == 0 ? 0 : Home(a, h);
      for (size_t n = 0; a.size > 0 && n < ring && a.slots[i] != 0; ++n, i = Next(a, i)) {
        if (Ptr(a.slots[i]) == item) {
          *pos = Pos{i, old};
          return true;
        }
      }
    }
    return false;
  }

  T* Find(std::string_view key, uint64_t h) const {
    Pos p;
    return Lookup(key, h, &p) ? At(p) : nullptr;
  }
  T* Find(std::string_view key) const { return Find(key, Hash(key)); }

  T* At(Pos p) const { return Ptr((p.old ? old_ : main_).slots[p.idx]); }

  void Replace(Pos p, T* item) {
    uint64_t& s = (p.old ? old_ : main_).slots[p.idx];
    s = (s & kTagMask) | reinterpret_cast<uint64_t>(item);
  }

  // The key must be absent. Invalidates Pos values.
  void Insert(T* item, uint64_t raw) {
    const uint64_t h = Mix(raw);
    if (rehashing()) {
      RehashStep(kStepSlots);
    }
    if ((main_.size + 1) * 5 > main_.cap * 4) {
      if (rehashing()) {
        RehashStep(SIZE_MAX);
      }
      size_t cap = std::max<size_t>(kMinCap, main_.cap * 2);
      while ((size() + 1) * 5 > cap * 4) {
        cap *= 2;
      }
      StartResize(cap);
    }
    Place(main_, item, h);
  }

  T* EraseAt(Pos p) {
    Arr& a = p.old ? old_ : main_;
    T* item = Ptr(a.slots[p.idx]);
    a.slots[p.idx] = 0;
    a.size--;
    ShiftBack(a, p.idx);
    AfterErase();
    return item;
  }

  T* Erase(std::string_view key, uint64_t h) {
    Pos p;
    return Lookup(key, h, &p) ? EraseAt(p) : nullptr;
  }

  // Sizes an empty table for `n` items: the capacity inserting them one by one would end with,
  // without the resizes on the way (loading a snapshot knows its key count up front).
  void Reserve(size_t n) {
    if (n == 0 || !empty() || rehashing()) {
      return;
    }
    size_t cap = kMinCap;
    while (n * 5 > cap * 4) {
      cap *= 2;
    }
    if (cap <= main_.cap) {
      return;
    }
    FreeArr(main_);
    main_.slots = static_cast<uint64_t*>(AllocateZeroed(cap * sizeof(uint64_t)));
    main_.cap = cap;
    main_.bits = static_cast<uint32_t>(__builtin_ctzll(cap));
  }

  // Migrates up to `n` occupied slots of the old array (bounded work on empty ones too).
  void RehashStep(size_t n) {
    size_t empty_visits = n == SIZE_MAX ? SIZE_MAX : n * 10;
    while (old_.slots != nullptr && n > 0) {
      if (old_.size == 0 || old_.lo >= old_.cap) {
        FreeArr(old_);
        return;
      }
      uint64_t s = old_.slots[old_.lo];
      if (s != 0) {
        T* item = Ptr(s);
        old_.slots[old_.lo] = 0;
        old_.size--;
        Place(main_, item, Mix(Hash(KeyOf()(item))));
        n--;
      } else if (--empty_visits == 0) {
        return;
      }
      old_.lo++;
    }
  }

  template <typename F>
  void ForEach(F&& f) const {
    for (const Arr* a : {&old_, &main_}) {
      for (size_t i = a->lo; i < a->cap && a->slots != nullptr; ++i) {
        if (a->slots[i] != 0) {
          f(Ptr(a->slots[i]));
        }
      }
    }
  }

  // Visits items whose 32-bit hash prefix is in [cursor, next) and returns next (0 when done).
  template <typename F>
  uint64_t Scan(uint64_t cursor, size_t count, F&& f) const {
    if (cursor >= kScanEnd || empty()) {
      return 0;
    }
    uint32_t bits = std::min<uint32_t>(32, std::max(main_.bits, old_.bits));
    uint64_t g = 1ull << (32 - bits);
    size_t emitted = 0;
    uint64_t c = cursor;
    while (emitted < count) {
      uint64_t k = std::min<uint64_t>(kScanEnd, std::max<uint64_t>(1, count - emitted));
      uint64_t end = std::min<uint64_t>(kScanEnd, (c / g + k) * g);
      emitted += ScanRange(old_, c, end, f) + ScanRange(main_, c, end, f);  // mixed prefixes
      c = end;
      if (c >= kScanEnd) {
        return 0;
      }
    }
    return c;
  }

  // A roughly uniform random item (nullptr when empty); `r` is a random 64-bit number.
  T* RandomItem(uint64_t r) const {
    const Arr* a = &main_;
    if (old_.size > 0 && (main_.size == 0 || (r & 1) != 0)) {
      a = &old_;
    }
    if (a->size == 0) {
      return nullptr;
    }
    size_t ring = a->cap - a->lo;
    size_t i = a->lo + (r >> 1) % ring;
    for (size_t n = 0; n < ring; ++n) {
      if (a->slots[i] != 0) {
        return Ptr(a->slots[i]);
      }
      i = Next(*a, i);
    }
    return nullptr;
  }

  // Forgets all items (the caller frees them first, e.g. with ForEach) and frees the arrays.
  void Clear() {
    FreeArr(old_);
    FreeArr(main_);
  }

 private:
  static constexpr uint64_t kTagMask = 0xFFFFull << 48;
  static constexpr uint64_t kPtrMask = ~kTagMask;
  static constexpr size_t kNpos = SIZE_MAX;
  static constexpr size_t kMinCap = 4;
  static constexpr size_t kStepSlots = 4;

  struct Arr {
    uint64_t* slots = nullptr;
    uint32_t bits = 0;
    size_t cap = 0;
    size_t size = 0;
    size_t lo = 0;  // first live slot: > 0 only for the old array during a resize
  };

  static T* Ptr(uint64_t s) { return reinterpret_cast<T*>(s & kPtrMask); }
  static uint64_t Tag(uint64_t h) { return (h & 0xFFFF) << 48; }
  static size_t Next(const Arr& a, size_t i) { return i + 1 == a.cap ? a.lo : i + 1; }
  static size_t Home(const Arr& a, uint64_t h) {
    size_t x = static_cast<size_t>(h >> (64 - a.bits));
    return x < a.lo ? a.lo : x;
  }

  static size_t FindIn(const Arr& a, std::string_view key, uint64_t h) {
    if (a.size == 0) {
      return kNpos;
    }
    uint64_t tag = Tag(h);
    // The old array's ring [lo, cap) shrinks during a resize and may be full: bound the probe.
    size_t ring = a.cap - a.lo;
    size_t i = Home(a, h);
    for (size_t n = 0; n < ring; ++n, i = Next(a, i)) {
      uint64_t s = a.slots[i];
      if (s == 0) {
        return kNpos;
      }
      if ((s & kTagMask) == tag && KeyOf()(Ptr(s)) == key) {
        return i;
      }
    }
    return kNpos;
  }

  static void Place(Arr& a, T* item, uint64_t h) {
    size_t i = Home(a, h);
    while (a.slots[i] != 0) {
      i = Next(a, i);
    }
    a.slots[i] = Tag(h) | reinterpret_cast<uint64_t>(item);
    a.size++;
  }

  void ShiftBack(Arr& a, size_t hole) const {
    for (size_t j = Next(a, hole); a.slots[j] != 0; j = Next(a, j)) {
      size_t k = Home(a, Mix(Hash(KeyOf()(Ptr(a.slots[j])))));
      bool stays = hole <= j ? (hole < k && k <= j) : (hole < k || k <= j);
      if (!stays) {
        a.slots[hole] = a.slots[j];
        a.slots[j] = 0;
        hole = j;
      }
    }
  }

  void AfterErase() {
    if (size() == 0) {
      Clear();
      return;
    }
    if (rehashing()) {
      RehashStep(kStepSlots);
      return;
    }
    if (main_.cap > 16 && main_.size * 8 < main_.cap) {
      size_t cap = 16;
      while (main_.size * 5 > cap * 2) {
        cap *= 2;
      }
      StartResize(cap);
    }
  }

  void StartResize(size_t cap) {
    old_ = main_;
    old_.lo = 0;
    main_ = Arr{};
    main_.slots = static_cast<uint64_t*>(AllocateZeroed(cap * sizeof(uint64_t)));
    main_.cap = cap;
    main_.bits = static_cast<uint32_t>(__builtin_ctzll(cap));
    if (old_.size == 0) {
      FreeArr(old_);
    }
  }

  static void FreeArr(Arr& a) {
    Deallocate(a.slots);
    a = Arr{};
  }

  template <typename F>
  size_t ScanRange(const Arr& a, uint64_t c, uint64_t end, F& f) const {
    if (a.size == 0) {
      return 0;
    }
    size_t s = std::max<size_t>(c >> (32 - std::min<uint32_t>(a.bits, 32)), a.lo);
    size_t e = std::max<size_t>((end - 1) >> (32 - std::min<uint32_t>(a.bits, 32)), a.lo);
    size_t ring = a.cap - a.lo;
    size_t emitted = 0;
    size_t p = s;
    for (size_t steps = 0; steps < ring; ++steps, p = Next(a, p)) {  // each slot once
      uint64_t sl = a.slots[p];
      if (sl == 0) {
        if (steps >= e - s) {
          break;
        }
        continue;
      }
      uint64_t pre = Mix(Hash(KeyOf()(Ptr(sl)))) >> 32;
      if (pre >= c && pre < end) {
        f(Ptr(sl));
        emitted++;
      }
    }
    return emitted;
  }

  uint64_t Mix(uint64_t h) const { return h * mult_; }
  // splitmix64 steps: a different odd multiplier for every table this thread creates.
  static uint64_t NextMultiplier() {
    static thread_local uint64_t state = 0x9E3779B97F4A7C15ull;
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return (z ^ (z >> 31)) | 1;
  }

  Arr main_;
  Arr old_;
  uint64_t mult_;
};

}  // namespace mr::engine
