// HyperLogLog: PFADD/PFCOUNT/PFMERGE semantics and estimate accuracy on 100k elements.
#include "engine/server/engine_test_base.h"

namespace mr::engine {
namespace {

class HllFamilyTest : public EngineTest {};

TEST_F(HllFamilyTest, AddCountMerge) {
  EXPECT_EQ(Run({"pfadd", "h", "a", "b", "c"}), 1);
  EXPECT_EQ(Run({"pfadd", "h", "a"}), 0);
  EXPECT_EQ(Run({"pfcount", "h"}), 3);
  std::vector<std::string> args{"pfadd", "big"};
  for (int i = 0; i < 100000; ++i) {
    args.push_back("element:" + std::to_string(i));
    if (args.size() == 1002) {
      Run(args);
      args.resize(2);
    }
  }
  int64_t n = Run({"pfcount", "big"}).i;
  EXPECT_NEAR(static_cast<double>(n), 100000.0, 2000.0);
  Run({"pfadd", "h2", "c", "d"});
  EXPECT_EQ(Run({"pfmerge", "m", "h", "h2"}), "OK");
  EXPECT_EQ(Run({"pfcount", "m"}), 4);
  EXPECT_EQ(Run({"pfcount", "h", "h2"}), 4);
  Run({"set", "s", "x"});
  EXPECT_EQ(Run({"pfadd", "s", "a"}), "WRONGTYPE Key is not a valid HyperLogLog string value.");
}

}  // namespace
}  // namespace mr::engine
