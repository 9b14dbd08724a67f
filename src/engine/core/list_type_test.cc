// ListObject (single listpack, then chunked listpacks) against std::deque under random operations,
// including elements longer than 255 bytes and memory returning to zero.
#include "engine/core/list_type.h"

#include <gtest/gtest.h>

#include <deque>
#include <string>

#include "engine/core/db.h"

namespace mr::engine {
namespace {

std::string Value(uint64_t r) {
  switch (r % 4) {
    case 0:
      return "a";
    case 1:
      return std::string(20, 'x') + std::to_string(r % 100);
    case 2:
      return std::string(300 + r % 50, 'y');
    default:
      return std::to_string(r % 1000);
  }
}

TEST(ListTypeTest, MatchesDequeUnderRandomOps) {
  MemoryAccount acc;
  AccountScope scope(&acc);
  {
    EncodingLimits lim;
    ListObject l;
    std::deque<std::string> ref;
    uint64_t rng = 99;
    for (int i = 0; i < 20000; ++i) {
      uint64_t r = NextRandom(&rng);
      size_t n = ref.size();
      switch (r % 8) {
        case 0:
        case 1: {
          std::string v = Value(r >> 8);
          bool front = (r >> 4) & 1;
          l.Push(v, front, lim);
          front ? ref.push_front(v) : ref.push_back(v);
          break;
        }
        case 2: {
          std::string got;
          bool front = (r >> 4) & 1;
          ASSERT_EQ(l.Pop(front, &got), n > 0);
          if (n > 0) {
            ASSERT_EQ(got, front ? ref.front() : ref.back());
            front ? ref.pop_front() : ref.pop_back();
          }
          break;
        }
        case 3:
          if (n > 0) {
            size_t at = (r >> 8) % n;
            std::string got;
            ASSERT_TRUE(l.Index(static_cast<int64_t>(at), &got));
            ASSERT_EQ(got, ref[at]);
          }
          break;
        case 4:
          if (n > 0) {
            size_t at = (r >> 8) % n;
            std::string v = Value(r >> 20);
            l.Set(static_cast<int64_t>(at), v, lim);
            ref[at] = v;
          }
          break;
        case 5: {
          size_t at = n == 0 ? 0 : (r >> 8) % (n + 1);
          std::string v = Value(r >> 20);
          l.InsertAt(at, v, lim);
          ref.insert(ref.begin() + static_cast<ptrdiff_t>(at), v);
          break;
        }
        case 6:
          if (n > 0) {
            size_t at = (r >> 8) % n;
            l.EraseAt(at);
            ref.erase(ref.begin() + static_cast<ptrdiff_t>(at));
          }
          break;
        default:
          if (n > 50 && (r >> 8) % 16 == 0) {
            size_t start = (r >> 12) % 10;
            size_t count = n - start - (r >> 20) % 10;
            l.Trim(start, count);
            ref.erase(ref.begin() + static_cast<ptrdiff_t>(start + count), ref.end());
            ref.erase(ref.begin(), ref.begin() + static_cast<ptrdiff_t>(start));
          }
      }
      ASSERT_EQ(l.size(), ref.size());
    }
    size_t k = 0;
    l.ForRange(0, l.size(), [&](size_t i, std::string_view v) {
      EXPECT_EQ(i, k);
      EXPECT_EQ(v, ref[k++]);
      return true;
    });
    EXPECT_EQ(k, ref.size());
    if (!ref.empty()) {
      k = ref.size();
      l.ForRangeRev(ref.size() - 1, 0, [&](size_t i, std::string_view v) {
        EXPECT_EQ(v, ref[--k]);
        return true;
      });
      EXPECT_EQ(k, 0u);
    }
    EXPECT_FALSE(l.compact());
  }
  EXPECT_EQ(acc.used, 0);
}

}  // namespace
}  // namespace mr::engine
