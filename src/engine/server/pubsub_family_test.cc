// Pub/sub: SUBSCRIBE/PSUBSCRIBE replies, delivery through a fake SessionSink, PUBSUB introspection.
#include "engine/server/engine_test_base.h"

namespace mr::engine {
namespace {

using V = std::vector<std::string>;

struct FakeSink : SessionSink {
  std::string got;
  void Deliver(std::string_view b) override { got.append(b); }
  void Wake(Session&) override {}
};

class PubSubFamilyTest : public EngineTest {};

TEST_F(PubSubFamilyTest, SubscribePublish) {
  FakeSink sink;
  Session sub;
  sub.sink = &sink;
  RespValue r = RunOn(sub, {"subscribe", "news", "sport"});
  EXPECT_EQ(r.Strings(), (V{"subscribe", "news", "1"}));
  EXPECT_EQ(RunOn(sub, {"get", "x"}),
            "ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET "
            "are allowed in this context");
  EXPECT_EQ(RunOn(sub, {"ping"}).Strings(), (V{"pong", ""}));
  RunOn(sub, {"psubscribe", "n*"});
  EXPECT_EQ(Run({"publish", "news", "hi"}), 2);
  EXPECT_EQ(sink.got,
            "*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$2\r\nhi\r\n"
            "*4\r\n$8\r\npmessage\r\n$2\r\nn*\r\n$4\r\nnews\r\n$2\r\nhi\r\n");
  EXPECT_EQ(Run({"pubsub", "numsub", "news", "none"}).Strings(), (V{"news", "1", "none", "0"}));
  EXPECT_EQ(Run({"pubsub", "numpat"}), 1);
  EXPECT_EQ(Run({"pubsub", "channels"}).size(), 2u);
  RunOn(sub, {"unsubscribe"});
  RunOn(sub, {"punsubscribe"});
  EXPECT_EQ(sub.subscriptions(), 0u);
  EXPECT_EQ(Run({"publish", "news", "hi"}), 0);
  CloseSession(inst_, sub);
}

}  // namespace
}  // namespace mr::engine
