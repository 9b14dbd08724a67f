// End-to-end tests of the RESP network layer: a ShardSet on an ephemeral port, real sockets,
// exact reply bytes (checked against redis-server 7.0 by hand).
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "engine/server/engine.h"
#include "engine/server/instance.h"
#include "redis_server/connection.h"
#include "redis_server/listener.h"
#include "redis_server/shard_set.h"
#include "redis_server/test_client.h"

namespace mr::redis_server {
namespace {

using testing::RespClient;

class RedisServerTest : public ::testing::Test {
 protected:
  void StartServer(std::string password = "", ShardSetOptions options = {}) {
    options.shards = 2;
    shards_ = std::make_unique<ShardSet>(options);
    shards_->Start();
    ASSERT_TRUE(shards_->AddInstance(1, &inst_, InstanceAccess{"i1", password}).ok());
    auto l = Listener::Dedicated(*shards_, 1, &inst_, ListenOptions{});
    ASSERT_TRUE(l.ok()) << l.error();
    listener_ = std::move(*l);
  }
  void TearDown() override {
    if (listener_) {
      listener_->Close();
    }
    if (shards_) {
      shards_->Stop();
    }
  }
  uint16_t port() const { return listener_->port(); }

  // Skips tests of commands the engine has not registered yet (it is developed in parallel).
  static bool EngineHas(std::string_view name) { return engine::FindCommand(name) != nullptr; }

  static uint64_t ClientId(RespClient& c) {
    std::string r = c.Call({"CLIENT", "ID"});
    return std::stoull(r.substr(1));
  }

  // Runs `fn` on the instance's shard with the engine session of client `id`: how these tests
  // stand in for engine commands (SUBSCRIBE, BLPOP) through the same Instance registries.
  void WithSession(uint64_t id, const std::function<void(engine::Session&)>& fn) {
    shards_->RunOn(1, [&] {
      ServedInstance* served = shards_->shard(1).Find(&inst_);
      ASSERT_NE(served, nullptr);
      auto it = served->connections.find(id);
      ASSERT_NE(it, served->connections.end());
      fn(it->second->session());
    });
  }

  engine::Instance inst_;
  std::unique_ptr<ShardSet> shards_;
  std::unique_ptr<Listener> listener_;
};

TEST_F(RedisServerTest, PipelinesAThousandCommandsInOneWrite) {
  StartServer();
  RespClient c(port());
  std::string batch;
  for (int i = 0; i < 1000; ++i) {
    batch += RespClient::Encode({"INCR", "counter"});
  }
  ASSERT_TRUE(c.Send(batch));
  for (int i = 1; i <= 1000; ++i) {
    ASSERT_EQ(c.ReadReply(), ":" + std::to_string(i) + "\r\n");
  }
  EXPECT_EQ(c.Call({"GET", "counter"}), "$4\r\n1000\r\n");
}

TEST_F(RedisServerTest, InlineCommandsWork) {
  StartServer();
  RespClient c(port());
  c.Send("PING\r\nSET a b\r\nGET a\r\n");
  EXPECT_EQ(c.ReadReply(), "+PONG\r\n");
  EXPECT_EQ(c.ReadReply(), "+OK\r\n");
  EXPECT_EQ(c.ReadReply(), "$1\r\nb\r\n");
}

TEST_F(RedisServerTest, TenMegabyteValueSplitAcrossManyWrites) {
  StartServer();
  RespClient c(port());
  std::string value(10 << 20, 'x');
  for (size_t i = 0; i < value.size(); i += 997) {
    value[i] = static_cast<char>('a' + i % 26);
  }
  std::string cmd = RespClient::Encode({"SET", "big", value});
  for (size_t off = 0; off < cmd.size(); off += 65536) {
    ASSERT_TRUE(c.Send(std::string_view(cmd).substr(off, 65536)));
  }
  EXPECT_EQ(c.ReadReply(), "+OK\r\n");
  EXPECT_EQ(c.Call({"STRLEN", "big"}), ":" + std::to_string(value.size()) + "\r\n");
  std::string reply = c.Call({"GET", "big"});
  EXPECT_EQ(reply, "$" + std::to_string(value.size()) + "\r\n" + value + "\r\n");
}

TEST_F(RedisServerTest, ProtocolErrorRepliesThenCloses) {
  StartServer();
  RespClient c(port());
  c.Send("PING\r\n*1\r\n$a\r\nPING\r\n");
  EXPECT_EQ(c.ReadReply(), "+PONG\r\n");
  EXPECT_EQ(c.ReadReply(), "-ERR Protocol error: invalid bulk length\r\n");
  EXPECT_TRUE(c.PeerClosed());
}

TEST_F(RedisServerTest, QuitRepliesOkThenCloses) {
  StartServer();
  RespClient c(port());
  c.Send("PING\r\nQUIT\r\nPING\r\n");
  EXPECT_EQ(c.ReadReply(), "+PONG\r\n");
  EXPECT_EQ(c.ReadReply(), "+OK\r\n");
  EXPECT_TRUE(c.PeerClosed());
}

TEST_F(RedisServerTest, AuthGatesCommandsWhenAPasswordIsSet) {
  StartServer("secret");
  RespClient c(port());
  EXPECT_EQ(c.Call({"PING"}), "-NOAUTH Authentication required.\r\n");
  // Like Redis, unknown commands and arity errors are reported before authentication.
  EXPECT_EQ(c.Call({"NOSUCH"}), "-ERR unknown command 'NOSUCH', with args beginning with: \r\n");
  EXPECT_EQ(c.Call({"GET"}), "-ERR wrong number of arguments for 'get' command\r\n");
  EXPECT_EQ(c.Call({"AUTH", "wrong"}),
            "-WRONGPASS invalid username-password pair or user is disabled.\r\n");
  EXPECT_EQ(c.Call({"AUTH", "someone", "secret"}),
            "-WRONGPASS invalid username-password pair or user is disabled.\r\n");
  EXPECT_EQ(c.Call({"AUTH", "a", "b", "c"}), "-ERR syntax error\r\n");
  EXPECT_EQ(c.Call({"AUTH", "secret"}), "+OK\r\n");
  EXPECT_EQ(c.Call({"PING"}), "+PONG\r\n");
  EXPECT_EQ(c.Call({"AUTH", "default", "secret"}), "+OK\r\n");
  // RESET forgets the authentication.
  EXPECT_EQ(c.Call({"RESET"}), "+RESET\r\n");
  EXPECT_EQ(c.Call({"PING"}), "-NOAUTH Authentication required.\r\n");
  EXPECT_EQ(c.Call({"AUTH", "i1", "secret"}), "+OK\r\n");  // the instance id as user name
}

TEST_F(RedisServerTest, AuthWithoutPasswordConfigured) {
  StartServer();
  RespClient c(port());
  EXPECT_EQ(c.Call({"AUTH", "x"}),
            "-ERR AUTH <password> called without any password configured for the default user. "
            "Are you sure your configuration is correct?\r\n");
  EXPECT_EQ(c.Call({"AUTH", "default", "anything"}), "+OK\r\n");
  EXPECT_EQ(c.Call({"AUTH", "nobody", "x"}),
            "-WRONGPASS invalid username-password pair or user is disabled.\r\n");
}

TEST_F(RedisServerTest, HelloSwitchesToResp3AndRepliesAMap) {
  StartServer("pw");
  RespClient c(port());
  EXPECT_EQ(c.Call({"HELLO", "3"}),
            "-NOAUTH HELLO must be called with the client already authenticated, otherwise the "
            "HELLO AUTH <user> <pass> option can be used to authenticate the client and select "
            "the RESP protocol version at the same time\r\n");
  EXPECT_EQ(c.Call({"HELLO", "4"}), "-NOPROTO unsupported protocol version\r\n");
  EXPECT_EQ(c.Call({"HELLO", "x"}), "-ERR Protocol version is not an integer or out of range\r\n");
  EXPECT_EQ(c.Call({"HELLO", "3", "AUTH", "default", "no"}),
            "-WRONGPASS invalid username-password pair or user is disabled.\r\n");
  std::string id = c.Call({"CLIENT", "ID"});
  EXPECT_EQ(id, "-NOAUTH Authentication required.\r\n");
  std::string reply = c.Call({"HELLO", "3", "AUTH", "default", "pw", "SETNAME", "app"});
  EXPECT_EQ(reply.substr(0, 4), "%7\r\n");
  EXPECT_NE(reply.find("$6\r\nserver\r\n$5\r\nredis\r\n"), std::string::npos);
  EXPECT_NE(reply.find("$5\r\nproto\r\n:3\r\n"), std::string::npos);
  EXPECT_NE(reply.find("$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n"
                       "$7\r\nmodules\r\n*0\r\n"),
            std::string::npos);
  EXPECT_EQ(c.Call({"CLIENT", "GETNAME"}), "$3\r\napp\r\n");
  EXPECT_EQ(c.Call({"GET", "missing"}), "_\r\n");  // RESP3 null
  EXPECT_EQ(c.Call({"HELLO", "3", "SETNAME", "a b"}),
            "-ERR Client names cannot contain spaces, newlines or special characters.\r\n");
  EXPECT_EQ(c.Call({"HELLO", "3", "FOO"}), "-ERR Syntax error in HELLO option 'FOO'\r\n");
  EXPECT_EQ(c.Call({"HELLO", "2"}).substr(0, 4), "*14\r");
  EXPECT_EQ(c.Call({"GET", "missing"}), "$-1\r\n");
}

TEST_F(RedisServerTest, PubSubDeliversBetweenConnections) {
  if (!EngineHas("subscribe") || !EngineHas("publish")) {
    GTEST_SKIP() << "the engine has no SUBSCRIBE/PUBLISH yet";
  }
  StartServer();
  RespClient sub(port());
  RespClient pub(port());
  EXPECT_EQ(sub.Call({"SUBSCRIBE", "news"}), "*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n");
  EXPECT_EQ(pub.Call({"PUBLISH", "news", "hello"}), ":1\r\n");
  EXPECT_EQ(sub.ReadReply(), "*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$5\r\nhello\r\n");
  EXPECT_EQ(pub.Call({"PUBLISH", "news", "again"}), ":1\r\n");
  EXPECT_EQ(sub.ReadReply(), "*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$5\r\nagain\r\n");
}

TEST_F(RedisServerTest, PushesFromTheInstanceReachTheSubscriber) {
  StartServer();
  RespClient sub(port());
  uint64_t id = ClientId(sub);
  WithSession(id, [&](engine::Session& s) {
    inst_.Subscribe(&s, "news", false);
    s.channels.insert("news");
  });
  size_t receivers = 0;
  shards_->RunOn(1, [&] { receivers = inst_.Publish("news", "hello"); });
  EXPECT_EQ(receivers, 1u);
  EXPECT_EQ(sub.ReadReply(), "*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$5\r\nhello\r\n");
  shards_->RunOn(1, [&] {
    inst_.Publish("news", "one");
    inst_.Publish("news", "two");
  });
  EXPECT_EQ(sub.ReadReply(), "*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$3\r\none\r\n");
  EXPECT_EQ(sub.ReadReply(), "*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$3\r\ntwo\r\n");
}

TEST_F(RedisServerTest, SlowSubscriberIsClosedAtTheHardLimit) {
  ShardSetOptions o;
  o.pubsub_hard_limit = 1 << 20;
  o.pubsub_soft_limit = 512 << 10;
  StartServer("", o);
  RespClient sub(port());
  int small = 4096;
  setsockopt(sub.fd(), SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
  uint64_t id = ClientId(sub);
  WithSession(id, [&](engine::Session& s) {
    inst_.Subscribe(&s, "firehose", false);
    s.channels.insert("firehose");
  });
  std::string payload(64 << 10, 'p');
  size_t receivers = 1;
  for (int i = 0; i < 400 && receivers > 0; ++i) {
    shards_->RunOn(1, [&] { receivers = inst_.Publish("firehose", payload); });
  }
  EXPECT_EQ(receivers, 0u);  // dropped: its session left the channel
  shards_->RunOn(1, [&] { EXPECT_EQ(inst_.counters.connected_clients, 0u); });
}

TEST_F(RedisServerTest, BlpopIsWokenByLpushFromAnotherConnection) {
  if (!EngineHas("blpop") || !EngineHas("lpush")) {
    GTEST_SKIP() << "the engine has no BLPOP/LPUSH yet";
  }
  StartServer();
  RespClient waiter(port());
  RespClient pusher(port());
  waiter.Send(RespClient::Encode({"BLPOP", "jobs", "0"}) + RespClient::Encode({"PING"}));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(pusher.Call({"LPUSH", "jobs", "j1"}), ":1\r\n");
  EXPECT_EQ(waiter.ReadReply(), "*2\r\n$4\r\njobs\r\n$2\r\nj1\r\n");
  EXPECT_EQ(waiter.ReadReply(), "+PONG\r\n");  // input after the blocked command waited for it
}

TEST_F(RedisServerTest, BlpopTimesOut) {
  if (!EngineHas("blpop")) {
    GTEST_SKIP() << "the engine has no BLPOP yet";
  }
  StartServer();
  RespClient waiter(port());
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(waiter.Call({"BLPOP", "nothing", "0.2"}), "*-1\r\n");
  auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_GE(waited, std::chrono::milliseconds(190));
  EXPECT_LT(waited, std::chrono::milliseconds(1500));
  EXPECT_EQ(waiter.Call({"PING"}), "+PONG\r\n");
  // Short timeouts are served by a deadline timer, not rounded up to the 100 ms tick.
  int within_budget = 0;
  for (int i = 0; i < 5; ++i) {
    start = std::chrono::steady_clock::now();
    EXPECT_EQ(waiter.Call({"BLPOP", "nothing", "0.02"}), "*-1\r\n");
    waited = std::chrono::steady_clock::now() - start;
    within_budget += waited < std::chrono::milliseconds(60) ? 1 : 0;
  }
  EXPECT_GE(within_budget, 3);
}

// The engine blocks a session by flagging it and registering it on keys; this layer must stop
// running its input, resume on Wake, and send the reply delivered meanwhile first.
TEST_F(RedisServerTest, BlockedSessionHoldsItsInputUntilWoken) {
  StartServer();
  RespClient waiter(port());
  uint64_t id = ClientId(waiter);
  WithSession(id, [&](engine::Session& s) {
    s.blocked_args = {"blpop", "jobs", "0"};
    inst_.Block(&s, 0, {"jobs"});
  });
  waiter.SetTimeout(200);
  waiter.Send("PING\r\n");
  EXPECT_EQ(waiter.ReadReply(), "");  // not answered while blocked
  WithSession(id, [&](engine::Session& s) {
    inst_.Unblock(&s);
    s.sink->Deliver("*2\r\n$4\r\njobs\r\n$2\r\nj1\r\n");
    s.sink->Wake(s);
  });
  waiter.SetTimeout(5000);
  EXPECT_EQ(waiter.ReadReply(), "*2\r\n$4\r\njobs\r\n$2\r\nj1\r\n");
  EXPECT_EQ(waiter.ReadReply(), "+PONG\r\n");
}

// Timeouts come from the shard's 100 ms tick (RunActiveExpiry serves blocked deadlines).
TEST_F(RedisServerTest, BlockedSessionTimesOutOnTheShardTick) {
  StartServer();
  RespClient waiter(port());
  uint64_t id = ClientId(waiter);
  auto start = std::chrono::steady_clock::now();
  WithSession(id, [&](engine::Session& s) {
    s.blocked_args = {"blpop", "jobs", "0.2"};
    s.blocked_deadline_ms = inst_.clock().NowMs() + 200;
    inst_.Block(&s, 0, {"jobs"});
  });
  waiter.Send("PING\r\n");
  EXPECT_EQ(waiter.ReadReply(), "*-1\r\n");
  auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_GE(waited, std::chrono::milliseconds(190));
  EXPECT_LT(waited, std::chrono::milliseconds(1500));
  EXPECT_EQ(waiter.ReadReply(), "+PONG\r\n");
}

TEST_F(RedisServerTest, ClientCommands) {
  StartServer();
  RespClient a(port());
  RespClient b(port());
  std::string id_b = b.Call({"CLIENT", "ID"});
  ASSERT_EQ(id_b[0], ':');
  id_b = id_b.substr(1, id_b.size() - 3);
  EXPECT_EQ(a.Call({"CLIENT", "SETNAME", "alpha"}), "+OK\r\n");
  EXPECT_EQ(a.Call({"CLIENT", "GETNAME"}), "$5\r\nalpha\r\n");
  std::string list = a.Call({"CLIENT", "LIST"});
  EXPECT_NE(list.find("name=alpha"), std::string::npos);
  EXPECT_NE(list.find("id=" + id_b + " addr=127.0.0.1:"), std::string::npos);
  EXPECT_NE(list.find("cmd=client|list user=default redir=-1 resp=2"), std::string::npos);
  EXPECT_EQ(a.Call({"CLIENT", "LIST", "TYPE", "foo"}), "-ERR Unknown client type 'foo'\r\n");
  EXPECT_EQ(a.Call({"CLIENT", "REPLY"}),
            "-ERR wrong number of arguments for 'client|reply' command\r\n");
  EXPECT_EQ(a.Call({"CLIENT", "FOO"}), "-ERR unknown subcommand 'FOO'. Try CLIENT HELP.\r\n");
  EXPECT_EQ(a.Call({"CLIENT", "KILL", "ID", "abc"}),
            "-ERR client-id should be greater than 0\r\n");
  EXPECT_EQ(a.Call({"CLIENT", "KILL", "USER", "nobody"}), "-ERR No such user 'nobody'\r\n");
  EXPECT_EQ(a.Call({"CLIENT", "KILL", "1.2.3.4:5"}), "-ERR No such client\r\n");
  EXPECT_EQ(a.Call({"CLIENT", "SETINFO", "LIB-NAME", "redis-py"}), "+OK\r\n");
  EXPECT_EQ(a.Call({"CLIENT", "NO-EVICT", "on"}), "+OK\r\n");
  EXPECT_EQ(a.Call({"CLIENT", "KILL", "ID", id_b}), ":1\r\n");
  EXPECT_TRUE(b.PeerClosed());
  // CLIENT REPLY OFF / SKIP / ON, as redis-server 7.0 answers them.
  a.Send("CLIENT REPLY OFF\r\nPING\r\nCLIENT REPLY SKIP\r\nCLIENT REPLY ON\r\nPING\r\n"
         "CLIENT REPLY SKIP\r\nPING\r\nECHO a\r\n");
  EXPECT_EQ(a.ReadReply(), "+OK\r\n");
  EXPECT_EQ(a.ReadReply(), "+PONG\r\n");
  EXPECT_EQ(a.ReadReply(), "$1\r\na\r\n");
  // Killing oneself answers first, then closes.
  EXPECT_EQ(a.Call({"CLIENT", "KILL", "SKIPME", "no", "USER", "default"}), ":1\r\n");
  EXPECT_TRUE(a.PeerClosed());
}

TEST_F(RedisServerTest, ClientInfoInResp3IsVerbatim) {
  StartServer();
  RespClient a(port());
  a.Call({"HELLO", "3"});
  std::string info = a.Call({"CLIENT", "INFO"});
  EXPECT_EQ(info[0], '=');
  EXPECT_NE(info.find("\r\ntxt:id="), std::string::npos);
  EXPECT_NE(info.find(" resp=3"), std::string::npos);
}

TEST_F(RedisServerTest, ManyConnectionsCloseCleanlyOnStop) {
  StartServer();
  std::vector<std::unique_ptr<RespClient>> clients;
  for (int i = 0; i < 50; ++i) {
    clients.push_back(std::make_unique<RespClient>(port()));
    EXPECT_EQ(clients.back()->Call({"SET", "k" + std::to_string(i), "v"}), "+OK\r\n");
  }
  uint64_t id = ClientId(*clients[0]);
  WithSession(id, [&](engine::Session& s) {
    s.blocked_args = {"blpop", "never", "0"};
    inst_.Block(&s, 0, {"never"});
  });
  listener_->Close();
  shards_->Stop();
  for (auto& c : clients) {
    EXPECT_TRUE(c->PeerClosed());
  }
  EXPECT_EQ(inst_.counters.connected_clients, 0u);
}

TEST_F(RedisServerTest, MaxClientsRefusesWithRedisErrorAndCloses) {
  inst_.config().max_clients = 2;
  StartServer();
  RespClient a(port());
  RespClient b(port());
  EXPECT_EQ(a.Call({"PING"}), "+PONG\r\n");
  EXPECT_EQ(b.Call({"PING"}), "+PONG\r\n");
  RespClient c(port());
  c.Send("PING\r\n");  // input the server never reads: the error must survive it (no RST)
  EXPECT_EQ(c.ReadReply(), "-ERR max number of clients reached\r\n");
  EXPECT_TRUE(c.PeerClosed());
  EXPECT_EQ(inst_.stats().rejected_connections, 1u);
  shards_->RunOn(1, [&] { inst_.config().max_clients = 3; });
  RespClient d(port());
  EXPECT_EQ(d.Call({"PING"}), "+PONG\r\n");
}

TEST_F(RedisServerTest, ARefusingListenerKeepsThePortAndAnswersTheError) {
  StartServer();
  listener_->SetRefusal("ERR instance is stopped");
  RespClient c(port());
  EXPECT_EQ(c.ReadReply(), "-ERR instance is stopped\r\n");
  EXPECT_TRUE(c.PeerClosed());
  listener_->SetRefusal("");
  RespClient d(port());
  EXPECT_EQ(d.Call({"PING"}), "+PONG\r\n");
  // A refused connection still lingering is closed by Stop.
  listener_->SetRefusal("ERR instance is stopped");
  RespClient e(port());
  EXPECT_EQ(e.ReadReply(), "-ERR instance is stopped\r\n");
  listener_->Close();
  shards_->Stop();
}

}  // namespace
}  // namespace mr::redis_server
