// One client connection of an instance: reads into a reusable buffer, runs every complete command
// of a read through the engine, and answers the whole batch with one write. Lives on its shard.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/server/session.h"
#include "redis_server/input_buffer.h"
#include "redis_server/shard.h"
#include "resp/parser.h"
#include "resp/writer.h"

namespace mr::redis_server {

using Args = std::span<const std::string_view>;

/// Owns itself: it deletes itself once closed and no Asio operation refers to it any more.
class Connection final : public engine::SessionSink {
 public:
  Connection(Shard& shard, ServedInstance& served, tcp::socket socket);

  /// Registers the session and starts serving; `input`/`output` come from a handover.
  void Start(std::string_view input, std::string_view output);
  /// Closes now (pending output is dropped, like Redis' CLIENT KILL). Safe to call on another
  /// connection of the shard; deferred when called from inside the engine (Deliver).
  void Close();

  // engine::SessionSink
  void Deliver(std::string_view resp_bytes) override;
  void Wake(engine::Session& session) override;

  /// Queued by Shard::Defer: resumes input after Wake, flushes pushes, closes on request.
  void RunDeferred();
  bool deferred_queued() const { return deferred_queued_; }
  void set_deferred_queued(bool v) { deferred_queued_ = v; }

  uint64_t id() const { return session_.id; }
  engine::Session& session() { return session_; }
  const std::string& addr() const { return session_.addr; }
  const std::string& laddr() const { return laddr_; }
  bool is_pubsub() const { return session_.subscriptions() > 0; }
  bool closed() const { return closed_; }
  /// One CLIENT LIST line, without the trailing newline.
  void AppendInfo(std::string* out) const;

 private:
  enum class ReplyMode : uint8_t { kOn, kOff };

  void ReadMore();
  void OnRead(const boost::system::error_code& ec, size_t n);
  void ProcessInput();
  // Runs what the input holds, replies, and reads on (may destroy the connection).
  void ServeInput();
  void RunCommand(Args args);
  bool NeedsNetworkLayer(Args args) const;
  void RunConnectionCommand(Args args, resp::Writer& w);
  bool GateUnauthenticated(Args args, resp::Writer& w);
  void AfterReset();
  void Flush();
  // Commit points of the instance's change log (persistence), before replies leave.
  void CommitLog();
  void CommitThenFlush();
  void OnWrite(const boost::system::error_code& ec);
  void CheckOutputLimits();
  void MaybeDestroy();
  void RememberCommand(Args args);

  // CONNECTION-flagged commands the network layer answers (connection_commands.cc).
  void CmdAuth(Args args, resp::Writer& w);
  void CmdHello(Args args, resp::Writer& w);
  void CmdClient(Args args, resp::Writer& w);
  void ClientSubcommand(std::string_view name, Args args, resp::Writer& w);
  void ClientList(Args args, resp::Writer& w);
  void ClientKill(Args args, resp::Writer& w);
  void ClientReply(Args args, resp::Writer& w);
  void ClientSetInfo(Args args, resp::Writer& w);
  bool CheckCredentials(std::string_view user, std::string_view password);
  void SetAuthenticated(bool v);

  Shard& shard_;
  ServedInstance& served_;
  tcp::socket socket_;
  engine::Session session_;
  resp::Parser parser_;
  std::vector<std::string_view> args_;
  InputBuffer in_;
  std::string out_;      // replies of the current batch, and pushes since the last write
  std::string writing_;  // what an async write is sending (out_ keeps filling meanwhile)

  // Lifetime: deleted once closed_ and nothing refers to it (pending reads/writes, deferred queue,
  // or a handler of its own still on the stack).
  bool closed_ = false;
  bool read_pending_ = false;
  bool write_pending_ = false;
  bool deferred_queued_ = false;
  int busy_ = 0;
  bool in_batch_ = false;
  bool close_after_write_ = false;  // QUIT, protocol error, CLIENT KILL of itself
  bool kill_requested_ = false;     // output limit hit inside the engine: close from Drain

  ReplyMode reply_mode_ = ReplyMode::kOn;
  bool skip_next_ = false;     // CLIENT REPLY SKIP: the next command's reply is dropped
  bool skip_current_ = false;  // ... and this is that command
  bool no_evict_ = false;
  int64_t soft_limit_since_s_ = 0;

  std::string laddr_;
  std::string lib_name_;
  std::string lib_ver_;
  int64_t created_s_ = 0;
  int64_t last_interaction_s_ = 0;
  char last_cmd_[32] = {};  // lowercase name of the last command, for CLIENT LIST's cmd=
  uint8_t last_cmd_len_ = 0;
};

}  // namespace mr::redis_server
