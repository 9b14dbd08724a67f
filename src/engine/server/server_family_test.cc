// Server/connection commands: PING ECHO SELECT TIME INFO CONFIG COMMAND HELLO CLIENT RESET and
// the refusal of server-wide commands.
#include "engine/server/engine_test_base.h"

namespace mr::engine {
namespace {

using V = std::vector<std::string>;

class ServerFamilyTest : public EngineTest {};

TEST_F(ServerFamilyTest, Connection) {
  EXPECT_EQ(Run({"ping"}), "PONG");
  EXPECT_EQ(Run({"ping", "hi"}), "hi");
  EXPECT_EQ(Run({"echo", "x"}), "x");
  EXPECT_EQ(Run({"client", "setname", "app"}), "OK");
  EXPECT_EQ(Run({"client", "getname"}), "app");
  EXPECT_EQ(Run({"client", "id"}), 1);
  EXPECT_EQ(Run({"select", "x"}), "ERR value is not an integer or out of range");
  RespValue h = Run({"hello", "3"});
  EXPECT_EQ(h.type, RespValue::kMap);
  EXPECT_EQ(session_.protocol, resp::Protocol::kResp3);
  EXPECT_EQ(Run({"hello", "4"}), "NOPROTO unsupported protocol version");
  EXPECT_EQ(Run({"reset"}), "RESET");
  EXPECT_EQ(session_.protocol, resp::Protocol::kResp2);
  EXPECT_EQ(Run({"quit"}), "OK");
  EXPECT_TRUE(session_.close_after_reply);
}

TEST_F(ServerFamilyTest, Refused) {
  EXPECT_EQ(Run({"shutdown"}), "ERR SHUTDOWN is not allowed in a MiniRedis instance");
  EXPECT_EQ(Run({"debug", "sleep", "0"}), "ERR DEBUG is not allowed in a MiniRedis instance");
  EXPECT_EQ(Run({"replicaof", "no", "one"}),
            "ERR REPLICAOF is not allowed in a MiniRedis instance");
  EXPECT_EQ(Run({"slaveof", "h", "1"}), "ERR SLAVEOF is not allowed in a MiniRedis instance");
  EXPECT_EQ(Run({"module", "list"}), "ERR MODULE is not allowed in a MiniRedis instance");
  EXPECT_EQ(Run({"monitor"}), "ERR MONITOR is not allowed in a MiniRedis instance");
  EXPECT_EQ(Run({"config", "set", "port", "1"}),
            "ERR CONFIG SET of 'port' is not allowed in a MiniRedis instance");
}

TEST_F(ServerFamilyTest, Config) {
  EXPECT_EQ(Run({"config", "get", "maxmemory"}).Strings(), (V{"maxmemory", "0"}));
  EXPECT_EQ(Run({"config", "set", "maxmemory", "10mb", "maxmemory-policy", "allkeys-lru"}), "OK");
  EXPECT_EQ(inst_.config().maxmemory, 10 * 1024 * 1024);
  EXPECT_EQ(Run({"config", "get", "maxmemory-p*"}).Strings(),
            (V{"maxmemory-policy", "allkeys-lru"}));
  EXPECT_EQ(Run({"config", "set", "maxmemory-policy", "bogus"}).is_error(), true);
  EXPECT_EQ(Run({"config", "set", "maxmemory", "abc"}),
            "ERR Invalid argument 'abc' for CONFIG SET 'maxmemory' - argument couldn't be parsed "
            "into an integer");
  EXPECT_EQ(Run({"config", "set", "foo", "1"}),
            "ERR Unknown option or number of arguments for CONFIG SET - 'foo'");
  EXPECT_EQ(Run({"config", "get"}), "ERR wrong number of arguments for 'config|get' command");
  EXPECT_EQ(Run({"config", "get", "databases"}).Strings(), (V{"databases", "16"}));
}

TEST_F(ServerFamilyTest, InfoAndCommand) {
  Run({"set", "a", "1", "ex", "100"});
  Run({"get", "a"});
  Run({"get", "b"});
  std::string info = Run({"info"}).str;
  EXPECT_NE(info.find("# Memory\r\nused_memory:"), std::string::npos);
  EXPECT_NE(info.find("keyspace_hits:1\r\n"), std::string::npos);
  EXPECT_NE(info.find("keyspace_misses:1\r\n"), std::string::npos);
  EXPECT_NE(info.find("db0:keys=1,expires=1,avg_ttl=0"), std::string::npos);
  EXPECT_NE(info.find("total_commands_processed:3"), std::string::npos);
  std::string mem = Run({"info", "memory"}).str;
  EXPECT_EQ(mem.find("# Server"), std::string::npos);
  EXPECT_GT(Run({"command", "count"}).i, 150);
  RespValue ci = Run({"command", "info", "get", "nosuch"});
  EXPECT_EQ(ci[0][0], "get");
  EXPECT_EQ(ci[0][1], 2);
  EXPECT_EQ(ci[1].type, RespValue::kNil);
  EXPECT_EQ(Run({"time"}).Strings(), (V{std::to_string(kStartMs / 1000), "0"}));
  const CommandId* set = FindCommand("SET");
  ASSERT_NE(set, nullptr);
  EXPECT_EQ(set->arity, -3);
  EXPECT_TRUE(set->flags & co::DENYOOM);
}

}  // namespace
}  // namespace mr::engine
