// SkipList (with spans for O(log n) ranks) and ZSetObject listpack <-> skiplist logic.
#include "engine/core/zset_type.h"

#include <cstring>

namespace mr::engine {

namespace {

int RandomLevel() {
  static thread_local uint64_t state = 0x9E3779B97F4A7C15ull;
  int level = 1;
  while (level < SkipList::kMaxLevel) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    if ((state & 0xFFFF) >= 0x4000) {  // p = 1/4 like Redis
      break;
    }
    level++;
  }
  return level;
}

ZNode* NewNode(int height, double score, std::string_view m) {
  size_t size = sizeof(ZNode) + height * sizeof(ZNode::Level) + m.size();
  auto* n = static_cast<ZNode*>(Allocate(size));
  n->score = score;
  n->backward = nullptr;
  n->mlen = static_cast<uint32_t>(m.size());
  n->height = static_cast<uint8_t>(height);
  for (int i = 0; i < height; ++i) {
    n->levels()[i] = ZNode::Level{nullptr, 0};
  }
  if (!m.empty()) {
    std::memcpy(n->levels() + height, m.data(), m.size());
  }
  return n;
}

bool Before(const ZNode* n, double score, std::string_view m) {
  return n->score < score || (n->score == score && n->member() < m);
}

}  // namespace

SkipList::SkipList() : header_(NewNode(kMaxLevel, 0, {})) {}

SkipList::~SkipList() {
  ZNode* x = header_->levels()[0].forward;
  while (x != nullptr) {
    ZNode* next = x->levels()[0].forward;
    Deallocate(x);
    x = next;
  }
  Deallocate(header_);
}

ZNode* SkipList::Insert(double score, std::string_view member) {
  ZNode* x = NewNode(RandomLevel(), score, member);
  Link(x);
  return x;
}

void SkipList::Link(ZNode* node) {
  const double score = node->score;
  const std::string_view member = node->member();
  ZNode* update[kMaxLevel];
  uint64_t rank[kMaxLevel];
  ZNode* x = header_;
  for (int i = level_ - 1; i >= 0; --i) {
    rank[i] = i == level_ - 1 ? 0 : rank[i + 1];
    while (x->levels()[i].forward && Before(x->levels()[i].forward, score, member)) {
      rank[i] += x->levels()[i].span;
      x = x->levels()[i].forward;
    }
    update[i] = x;
  }
  const int lvl = node->height;
  if (lvl > level_) {
    for (int i = level_; i < lvl; ++i) {
      rank[i] = 0;
      update[i] = header_;
      header_->levels()[i].span = size_;
    }
    level_ = lvl;
  }
  x = node;
  for (int i = 0; i < lvl; ++i) {
    ZNode::Level& u = update[i]->levels()[i];
    x->levels()[i].forward = u.forward;
    u.forward = x;
    x->levels()[i].span = u.span - (rank[0] - rank[i]);
    u.span = (rank[0] - rank[i]) + 1;
  }
  for (int i = lvl; i < level_; ++i) {
    update[i]->levels()[i].span++;
  }
  x->backward = update[0] == header_ ? nullptr : update[0];
  if (x->levels()[0].forward) {
    x->levels()[0].forward->backward = x;
  } else {
    tail_ = x;
  }
  size_++;
}

ZNode* SkipList::Find(double score, std::string_view member, ZNode** update) const {
  ZNode* x = header_;
  for (int i = level_ - 1; i >= 0; --i) {
    while (x->levels()[i].forward && Before(x->levels()[i].forward, score, member)) {
      x = x->levels()[i].forward;
    }
    update[i] = x;
  }
  x = x->levels()[0].forward;
  if (x == nullptr || x->score != score || x->member() != member) {
    return nullptr;
  }
  return x;
}

void SkipList::Delete(double score, std::string_view member) {
  ZNode* update[kMaxLevel];
  if (ZNode* x = Find(score, member, update)) {
    Unlink(x, update);
    Deallocate(x);
  }
}

// Redis' zslUpdateScore: a node whose new score keeps its place is changed in place; otherwise
// it is unlinked and linked again, the same allocation (so the member table keeps pointing at it).
ZNode* SkipList::UpdateScore(double score, std::string_view member, double new_score) {
  ZNode* update[kMaxLevel];
  ZNode* x = Find(score, member, update);
  if (x == nullptr) {
    return nullptr;
  }
  ZNode* next = x->levels()[0].forward;
  if ((x->backward == nullptr || x->backward->score < new_score) &&
      (next == nullptr || next->score > new_score)) {
    x->score = new_score;
    return x;
  }
  Unlink(x, update);
  x->score = new_score;
  Link(x);
  return x;
}

void SkipList::Unlink(ZNode* x, ZNode** update) {
  for (int i = 0; i < level_; ++i) {
    ZNode::Level& u = update[i]->levels()[i];
    if (u.forward == x) {
      u.span += x->levels()[i].span - 1;
      u.forward = x->levels()[i].forward;
    } else {
      u.span -= 1;
    }
  }
  if (x->levels()[0].forward) {
    x->levels()[0].forward->backward = x->backward;
  } else {
    tail_ = x->backward;
  }
  while (level_ > 1 && header_->levels()[level_ - 1].forward == nullptr) {
    level_--;
  }
  size_--;
}

uint64_t SkipList::Rank(double score, std::string_view member) const {
  uint64_t rank = 0;
  const ZNode* x = header_;
  for (int i = level_ - 1; i >= 0; --i) {
    while (true) {
      const ZNode* f = x->levels()[i].forward;
      if (f == nullptr || !(f->score < score || (f->score == score && f->member() <= member))) {
        break;
      }
      rank += x->levels()[i].span;
      x = f;
    }
    if (x != header_ && x->member() == member) {
      return rank;
    }
  }
  return 0;
}

ZNode* SkipList::ByRank(uint64_t r) const {
  uint64_t traversed = 0;
  ZNode* x = header_;
  for (int i = level_ - 1; i >= 0; --i) {
    while (x->levels()[i].forward && traversed + x->levels()[i].span <= r) {
      traversed += x->levels()[i].span;
      x = x->levels()[i].forward;
    }
    if (traversed == r) {
      return x == header_ ? nullptr : x;
    }
  }
  return nullptr;
}

uint64_t SkipList::CountBelowScore(double v, bool or_equal) const {
  uint64_t rank = 0;
  const ZNode* x = header_;
  for (int i = level_ - 1; i >= 0; --i) {
    while (true) {
      const ZNode* f = x->levels()[i].forward;
      if (f == nullptr || !(or_equal ? f->score <= v : f->score < v)) {
        break;
      }
      rank += x->levels()[i].span;
      x = f;
    }
  }
  return rank;
}

uint64_t SkipList::CountBelowLex(std::string_view v, bool or_equal) const {
  uint64_t rank = 0;
  const ZNode* x = header_;
  for (int i = level_ - 1; i >= 0; --i) {
    while (true) {
      const ZNode* f = x->levels()[i].forward;
      if (f == nullptr || !(or_equal ? f->member() <= v : f->member() < v)) {
        break;
      }
      rank += x->levels()[i].span;
      x = f;
    }
  }
  return rank;
}

ZSetObject::~ZSetObject() {
  Delete(dict_);
  Delete(sl_);
}

double ZSetObject::LpScore(uint32_t off) const {
  double d;
  std::memcpy(&d, lp_.Get(off).data(), sizeof(d));
  return d;
}

uint32_t ZSetObject::LpFind(std::string_view member) const { return lp_.Find(member, 2); }

bool ZSetObject::Score(std::string_view member, double* score) const {
  if (sl_) {
    const ZNode* n = dict_->Find(member);
    if (!n) {
      return false;
    }
    *score = n->score;
    return true;
  }
  uint32_t off = LpFind(member);
  if (off == Listpack::kEnd) {
    return false;
  }
  *score = LpScore(lp_.Next(off));
  return true;
}

void ZSetObject::Insert(std::string_view member, double score, const EncodingLimits& lim) {
  if (!sl_ && (member.size() > lim.zset_listpack_value || size() >= lim.zset_listpack_entries)) {
    Convert();
  }
  if (sl_) {
    dict_->Insert(sl_->Insert(score, member), Dict::Hash(member));
    return;
  }
  uint32_t off = lp_.First();
  while (off != Listpack::kEnd) {
    double s = LpScore(lp_.Next(off));
    if (s > score || (s == score && lp_.Get(off) > member)) {
      break;
    }
    off = lp_.Next(lp_.Next(off));
  }
  std::string_view sb(reinterpret_cast<const char*>(&score), sizeof(score));
  if (off == Listpack::kEnd) {
    lp_.PushBack(member);
    lp_.PushBack(sb);
  } else {
    lp_.Insert(off, sb);
    lp_.Insert(off, member);
  }
}

void ZSetObject::Update(std::string_view member, double old_score, double new_score) {
  if (sl_) {
    sl_->UpdateScore(old_score, member, new_score);  // same node: the member table is unchanged
    return;
  }
  Remove(member);
  EncodingLimits unlimited{};
  unlimited.zset_listpack_entries = UINT32_MAX;
  unlimited.zset_listpack_value = UINT32_MAX;
  Insert(member, new_score, unlimited);
}

bool ZSetObject::Remove(std::string_view member) {
  if (sl_) {
    ZNode* n = dict_->Erase(member, Dict::Hash(member));
    if (!n) {
      return false;
    }
    sl_->Delete(n->score, member);
    return true;
  }
  uint32_t off = LpFind(member);
  if (off == Listpack::kEnd) {
    return false;
  }
  lp_.Erase(off, 2);
  return true;
}

int64_t ZSetObject::Rank(std::string_view member) const {
  if (sl_) {
    const ZNode* n = dict_->Find(member);
    return n ? static_cast<int64_t>(sl_->Rank(n->score, member)) - 1 : -1;
  }
  int64_t r = 0;
  for (uint32_t off = lp_.First(); off != Listpack::kEnd; off = lp_.Next(lp_.Next(off)), ++r) {
    if (lp_.Get(off) == member) {
      return r;
    }
  }
  return -1;
}

size_t ZSetObject::CountBelowScore(double v, bool or_equal) const {
  if (sl_) {
    return sl_->CountBelowScore(v, or_equal);
  }
  size_t n = 0;
  for (uint32_t off = lp_.First(); off != Listpack::kEnd; off = lp_.Next(lp_.Next(off))) {
    double s = LpScore(lp_.Next(off));
    if (!(or_equal ? s <= v : s < v)) {
      break;
    }
    n++;
  }
  return n;
}

size_t ZSetObject::CountBelowLex(const LexBound& b, bool upper) const {
  if (b.kind == LexBound::kNegInf) {
    return 0;
  }
  if (b.kind == LexBound::kPosInf) {
    return size();
  }
  bool or_equal = (b.kind == LexBound::kExclusive) != upper;
  if (sl_) {
    return sl_->CountBelowLex(b.s, or_equal);
  }
  size_t n = 0;
  for (uint32_t off = lp_.First(); off != Listpack::kEnd; off = lp_.Next(lp_.Next(off))) {
    std::string_view m = lp_.Get(off);
    if (!(or_equal ? m <= b.s : m < b.s)) {
      break;
    }
    n++;
  }
  return n;
}

size_t ZSetObject::MemoryUsage() const {
  size_t n = AllocationSize(this) + lp_.AllocatedBytes();
  if (sl_) {
    n += AllocationSize(sl_) + AllocationSize(dict_) + dict_->capacity() * sizeof(uint64_t);
    dict_->ForEach([&](const ZNode* z) { n += AllocationSize(z); });
  }
  return n;
}

void ZSetObject::Convert() {
  auto* sl = New<SkipList>();
  auto* dict = New<Dict>();
  for (uint32_t off = lp_.First(); off != Listpack::kEnd; off = lp_.Next(lp_.Next(off))) {
    std::string_view m = lp_.Get(off);
    dict->Insert(sl->Insert(LpScore(lp_.Next(off)), m), Dict::Hash(m));
  }
  lp_.~Listpack();
  new (&lp_) Listpack();
  sl_ = sl;
  dict_ = dict;
}

}  // namespace mr::engine
