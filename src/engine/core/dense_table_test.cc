// DenseTable against std::unordered_set under random inserts/erases across growth and shrink,
// SCAN completeness during resizes, and memory returning to zero.
#include "engine/core/dense_table.h"

#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <string>
#include <unordered_set>
#include <vector>

#include "engine/core/blob.h"
#include "engine/core/db.h"

namespace mr::engine {
namespace {

using Table = DenseTable<Blob, BlobKey>;

TEST(DenseTableTest, MatchesReferenceUnderChurn) {
  MemoryAccount acc;
  AccountScope scope(&acc);
  {
    Table t;
    std::unordered_set<std::string> ref;
    uint64_t rng = 42;
    for (int i = 0; i < 200000; ++i) {
      std::string k = "k" + std::to_string(NextRandom(&rng) % 20000);
      uint64_t h = Table::Hash(k);
      bool insert = (NextRandom(&rng) % 3) != 0 || i < 20000;
      if (insert && !ref.count(k)) {
        t.Insert(Blob::New(k), h);
        ref.insert(k);
      } else if (!insert && ref.count(k)) {
        Blob::Free(t.Erase(k, h));
        ref.erase(k);
      }
      if (i % 997 == 0) {
        ASSERT_EQ(t.size(), ref.size());
        for (const std::string& r : ref) {
          ASSERT_NE(t.Find(r), nullptr) << r;
        }
      }
    }
    for (const std::string& r : ref) {
      Blob::Free(t.Erase(r, Table::Hash(r)));
    }
    EXPECT_EQ(t.size(), 0u);
    EXPECT_EQ(t.capacity(), 0u);
  }
  EXPECT_EQ(acc.used, 0);
}

TEST(DenseTableTest, ScanDuringGrowthAndShrink) {
  MemoryAccount acc;
  AccountScope scope(&acc);
  Table t;
  for (int i = 0; i < 3000; ++i) {
    std::string k = "stable" + std::to_string(i);
    t.Insert(Blob::New(k), Table::Hash(k));
  }
  std::multiset<std::string> seen;
  uint64_t cursor = 0;
  int extra = 0;
  do {
    cursor = t.Scan(cursor, 50, [&](const Blob* b) { seen.emplace(b->first()); });
    for (int j = 0; j < 40; ++j) {
      std::string k = "extra" + std::to_string(extra++);
      t.Insert(Blob::New(k), Table::Hash(k));
    }
  } while (cursor != 0);
  for (int i = 0; i < 3000; ++i) {
    EXPECT_EQ(seen.count("stable" + std::to_string(i)), 1u);
  }
  t.ForEach([](Blob* b) { Blob::Free(b); });
  t.Clear();
  EXPECT_EQ(acc.used, 0);
}

TEST(DenseTableTest, ScanReturnsEachItemExactlyOnce) {
  MemoryAccount acc;
  AccountScope scope(&acc);
  for (int n = 1; n < 300; n += 7) {
    for (size_t count : {size_t{1}, size_t{3}, size_t{1000}}) {
      Table t;
      for (int i = 0; i < n; ++i) {
        std::string k = "m" + std::to_string(i);
        t.Insert(Blob::New(k), Table::Hash(k));
      }
      std::multiset<std::string> seen;
      uint64_t cursor = 0;
      do {
        cursor = t.Scan(cursor, count, [&](const Blob* b) { seen.emplace(b->first()); });
      } while (cursor != 0);
      ASSERT_EQ(seen.size(), static_cast<size_t>(n)) << n << " " << count;
      for (int i = 0; i < n; ++i) {
        ASSERT_EQ(seen.count("m" + std::to_string(i)), 1u);
      }
      t.ForEach([](Blob* b) { Blob::Free(b); });
      t.Clear();
    }
  }
}

TEST(DenseTableTest, RandomItemCoversTable) {
  MemoryAccount acc;
  AccountScope scope(&acc);
  Table t;
  for (int i = 0; i < 100; ++i) {
    std::string k = std::to_string(i);
    t.Insert(Blob::New(k), Table::Hash(k));
  }
  std::set<std::string> seen;
  uint64_t rng = 7;
  for (int i = 0; i < 5000; ++i) {
    seen.emplace(t.RandomItem(NextRandom(&rng))->first());
  }
  EXPECT_GT(seen.size(), 90u);
  t.ForEach([](Blob* b) { Blob::Free(b); });
  t.Clear();
}

TEST(GlobTest, RedisCases) {
  EXPECT_TRUE(GlobMatch("h?llo", "hello"));
  EXPECT_TRUE(GlobMatch("h*llo", "hllo"));
  EXPECT_TRUE(GlobMatch("h[ae]llo", "hallo"));
  EXPECT_FALSE(GlobMatch("h[^e]llo", "hello"));
  EXPECT_TRUE(GlobMatch("h[a-b]llo", "hbllo"));
  EXPECT_TRUE(GlobMatch("h[b-a]llo", "hbllo"));
  EXPECT_TRUE(GlobMatch("*\\*", "abc*"));
  EXPECT_FALSE(GlobMatch("a", "ab"));
  EXPECT_TRUE(GlobMatch("*", ""));
  EXPECT_TRUE(GlobMatch("**a**", "bab"));
}

// Reserve gives the capacity one-by-one inserts end with, so a presized table costs the same.
TEST(DenseTableTest, ReserveMatchesGrowth) {
  MemoryAccount acc;
  AccountScope scope(&acc);
  for (size_t n : {size_t{0}, size_t{1}, size_t{3}, size_t{4}, size_t{100}, size_t{3277},
                   size_t{3278}, size_t{50000}}) {
    Table grown;
    Table reserved;
    reserved.Reserve(n);
    for (size_t i = 0; i < n; ++i) {
      std::string k = "k" + std::to_string(i);
      grown.Insert(Blob::New(k), Table::Hash(k));
      reserved.Insert(Blob::New(k), Table::Hash(k));
    }
    grown.RehashStep(SIZE_MAX);
    EXPECT_FALSE(reserved.rehashing()) << n;
    EXPECT_EQ(reserved.capacity(), grown.capacity()) << n;
    for (Table* t : {&grown, &reserved}) {
      t->ForEach([](Blob* b) { Blob::Free(b); });
      t->Clear();
    }
  }
  EXPECT_EQ(acc.used, 0);
}

}  // namespace
}  // namespace mr::engine

namespace mr::engine {
namespace {

// A client copying keys in another table's SCAN order (SCAN + DUMP/RESTORE between instances)
// must not make inserts quadratic: each table mixes hashes its own way.
TEST(DenseTableTest, InsertingInAnotherTablesOrderStaysLinear) {
  MemoryAccount acc;
  AccountScope scope(&acc);
  constexpr int kKeys = 200000;
  Table source;
  for (int i = 0; i < kKeys; ++i) {
    std::string k = "key:" + std::to_string(i);
    source.Insert(Blob::New(k), Table::Hash(k));
  }
  std::vector<std::string> order;
  uint64_t cursor = 0;
  do {
    cursor = source.Scan(cursor, 1000, [&](Blob* b) { order.emplace_back(BlobKey()(b)); });
  } while (cursor != 0);
  ASSERT_EQ(order.size(), static_cast<size_t>(kKeys));
  auto start = std::chrono::steady_clock::now();
  Table copy;
  for (const std::string& k : order) {
    copy.Insert(Blob::New(k), Table::Hash(k));
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_LT(secs, 2.0) << "hash-ordered inserts piled up (quadratic probing)";
  EXPECT_EQ(copy.size(), static_cast<size_t>(kKeys));
  for (Table* t : {&source, &copy}) {
    t->ForEach([](Blob* b) { Blob::Free(b); });
    t->Clear();
  }
  EXPECT_EQ(acc.used, 0);
}

}  // namespace
}  // namespace mr::engine
