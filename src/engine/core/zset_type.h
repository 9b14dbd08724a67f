// Redis sorted-set values: a listpack of (member, 8-byte score) pairs kept in order while small,
// and above zset-max-listpack-* a skiplist plus a member -> node DenseTable.
#pragma once

#include <cstdint>
#include <string_view>

#include "engine/core/dense_table.h"
#include "engine/core/entry.h"
#include "engine/core/hash_type.h"
#include "engine/core/listpack.h"

namespace mr::engine {

// Why a skiplist and not a B-tree: ZRANK, ZRANGE by index and the *BYSCORE/BYLEX offsets all need
// rank queries; a skiplist with per-level spans answers them in O(log n) with simple code, keeps
// Redis' exact ordering and tie rules, and lets a node carry its member inline (one allocation
// shared with the member table).
struct ZNode {
  struct Level {
    ZNode* forward;
    uint64_t span;
  };
  double score;
  ZNode* backward;
  uint32_t mlen;
  uint8_t height;
  Level* levels() { return reinterpret_cast<Level*>(this + 1); }
  const Level* levels() const { return reinterpret_cast<const Level*>(this + 1); }
  std::string_view member() const {
    return {reinterpret_cast<const char*>(levels() + height), mlen};
  }
};

struct ZNodeKey {
  std::string_view operator()(const ZNode* n) const { return n->member(); }
};

struct LexBound {
  enum Kind : uint8_t { kInclusive, kExclusive, kNegInf, kPosInf };
  Kind kind = kNegInf;
  std::string_view s;
};

class SkipList {
 public:
  static constexpr int kMaxLevel = 32;
  SkipList();
  ~SkipList();
  size_t size() const { return size_; }
  ZNode* Insert(double score, std::string_view member);
  void Delete(double score, std::string_view member);  // frees the node
  // Moves an existing member to a new score, keeping its node; nullptr when absent.
  ZNode* UpdateScore(double score, std::string_view member, double new_score);
  uint64_t Rank(double score, std::string_view member) const;  // 1-based
  ZNode* ByRank(uint64_t rank) const;                          // 1-based
  uint64_t CountBelowScore(double v, bool or_equal) const;
  uint64_t CountBelowLex(std::string_view v, bool or_equal) const;
  ZNode* tail() const { return tail_; }

 private:
  // The node equal to (score, member), with the last node before it on every level in `update`.
  ZNode* Find(double score, std::string_view member, ZNode** update) const;
  void Unlink(ZNode* x, ZNode** update);
  void Link(ZNode* x);  // at its place by (score, member), with its own height

  ZNode* header_;
  ZNode* tail_ = nullptr;
  size_t size_ = 0;
  int level_ = 1;
};

class ZSetObject {
 public:
  using Dict = DenseTable<ZNode, ZNodeKey>;
  ZSetObject() = default;
  ~ZSetObject();

  Enc encoding() const { return sl_ ? Enc::kSkiplist : Enc::kListpack; }
  size_t size() const { return sl_ ? sl_->size() : lp_.size() / 2; }
  bool Score(std::string_view member, double* score) const;
  void Insert(std::string_view member, double score, const EncodingLimits& lim);  // absent member
  void Update(std::string_view member, double old_score, double new_score);
  bool Remove(std::string_view member);
  int64_t Rank(std::string_view member) const;  // 0-based ascending, -1 if absent
  size_t MemoryUsage() const;
  // Number of elements ordered before score v (or_equal: <= v, else < v).
  size_t CountBelowScore(double v, bool or_equal) const;
  size_t CountBelowLex(const LexBound& b, bool upper) const;

  // Visits ranks [a, b] (0-based ascending order), walking backwards when `reverse`.
  template <typename F>  // f(member, score) -> bool continue
  void ForRank(size_t a, size_t b, bool reverse, F&& f) const {
    if (a > b || a >= size()) {
      return;
    }
    b = std::min(b, size() - 1);
    if (sl_) {
      ZNode* n = sl_->ByRank(reverse ? b + 1 : a + 1);
      for (size_t i = a; i <= b && n != nullptr; ++i) {
        if (!f(n->member(), n->score)) {
          return;
        }
        n = reverse ? n->backward : n->levels()[0].forward;
      }
      return;
    }
    for (size_t i = 0; i <= b - a; ++i) {
      size_t r = reverse ? b - i : a + i;
      uint32_t off = lp_.At(static_cast<int64_t>(r * 2));
      if (!f(lp_.Get(off), LpScore(lp_.Next(off)))) {
        return;
      }
    }
  }

  // ZSCAN: listpacks return everything at once (cursor 0), like Redis; skiplists page through
  // the member table with its hash-prefix cursor.
  template <typename F>  // f(member, score)
  uint64_t Scan(uint64_t cursor, size_t count, F&& f) const {
    if (!sl_) {
      ForRank(0, size(), false, [&](std::string_view m, double s) {
        f(m, s);
        return true;
      });
      return 0;
    }
    return dict_->Scan(cursor, count, [&](const ZNode* n) { f(n->member(), n->score); });
  }

  // Switches to the skiplist now (COPY keeps the source's encoding, like Redis).
  void ConvertToFull() {
    if (!sl_) {
      Convert();
    }
  }

 private:
  double LpScore(uint32_t off) const;
  uint32_t LpFind(std::string_view member) const;
  void Convert();
  Listpack lp_;
  SkipList* sl_ = nullptr;
  Dict* dict_ = nullptr;
};

}  // namespace mr::engine
