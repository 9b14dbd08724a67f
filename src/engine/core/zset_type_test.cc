// The skiplist against a std::set model under random inserts, score updates (in place and moved)
// and deletes: order, ranks (spans) and backward links must always agree.
#include "engine/core/zset_type.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>
#include <string>
#include <utility>

namespace mr::engine {
namespace {

void ExpectSame(const SkipList& sl, const std::set<std::pair<double, std::string>>& model) {
  ASSERT_EQ(sl.size(), model.size());
  uint64_t rank = 1;
  const ZNode* prev = nullptr;
  for (const auto& [score, member] : model) {
    const ZNode* n = sl.ByRank(rank);
    ASSERT_NE(n, nullptr);
    EXPECT_EQ(n->score, score);
    EXPECT_EQ(n->member(), member);
    EXPECT_EQ(sl.Rank(score, member), rank);
    EXPECT_EQ(n->backward, prev);
    prev = n;
    ++rank;
  }
  EXPECT_EQ(sl.tail(), prev);
}

TEST(SkipList, UpdateScoreKeepsTheNodeAndTheOrder) {
  SkipList sl;
  ZNode* a = sl.Insert(1, "a");
  sl.Insert(2, "b");
  sl.Insert(3, "c");
  EXPECT_EQ(sl.UpdateScore(1, "a", 1.5), a);  // stays first: changed in place
  EXPECT_EQ(sl.UpdateScore(1.5, "a", 10), a);  // moves to the end: same node
  EXPECT_EQ(sl.UpdateScore(7, "a", 1), nullptr);  // wrong old score: not found
  ExpectSame(sl, {{2, "b"}, {3, "c"}, {10, "a"}});
}

TEST(SkipList, RandomOperationsMatchAModel) {
  std::mt19937_64 rng(42);
  SkipList sl;
  std::set<std::pair<double, std::string>> model;
  std::map<std::string, double> score_of;
  for (int step = 0; step < 20000; ++step) {
    std::string m = "m" + std::to_string(rng() % 500);
    double s = static_cast<double>(rng() % 50);  // many ties: member order decides
    auto it = score_of.find(m);
    int op = static_cast<int>(rng() % 3);
    if (it == score_of.end()) {
      sl.Insert(s, m);
      model.insert({s, m});
      score_of[m] = s;
    } else if (op == 0) {
      sl.Delete(it->second, m);
      model.erase({it->second, m});
      score_of.erase(it);
    } else {
      ASSERT_NE(sl.UpdateScore(it->second, m, s), nullptr);
      model.erase({it->second, m});
      model.insert({s, m});
      it->second = s;
    }
    if (step % 1000 == 0) {
      ExpectSame(sl, model);
    }
  }
  ExpectSame(sl, model);
}

}  // namespace
}  // namespace mr::engine
