// The per-connection data path: read, parse every complete command, dispatch, one write per batch.
// Nothing here allocates per command: the buffers and the argument vector are reused.
#include "redis_server/connection.h"

#include <atomic>
#include <boost/asio/write.hpp>
#include <cstring>

#include "engine/server/command_context.h"
#include "engine/server/engine.h"

namespace mr::redis_server {

namespace {

// Client ids are process-wide, like Redis' (unique across instances, so logs never mix them up).
std::atomic<uint64_t> next_client_id{1};

constexpr size_t kMinRead = 4096;
// After a big reply, keep at most this much output buffer capacity around.
constexpr size_t kKeepOutputCapacity = 1 << 20;

// Commands that need this layer even when the engine knows them. Checked on every command, so
// it looks at the length and the first byte before comparing names.
enum class Special : uint8_t { kNone, kAuth, kQuit, kHello, kReset, kClient };

Special Classify(std::string_view name) {
  using engine::EqualsNoCase;
  if (name.size() < 4 || name.size() > 6) {
    return Special::kNone;
  }
  switch (name[0] | 0x20) {  // ASCII lowercase
    case 'a':
      return EqualsNoCase(name, "auth") ? Special::kAuth : Special::kNone;
    case 'q':
      return EqualsNoCase(name, "quit") ? Special::kQuit : Special::kNone;
    case 'h':
      return EqualsNoCase(name, "hello") ? Special::kHello : Special::kNone;
    case 'r':
      return EqualsNoCase(name, "reset") ? Special::kReset : Special::kNone;
    case 'c':
      return EqualsNoCase(name, "client") ? Special::kClient : Special::kNone;
    default:
      return Special::kNone;
  }
}

std::string FormatEndpoint(const tcp::endpoint& ep) {
  std::string ip = ep.address().to_string();
  std::string port = std::to_string(ep.port());
  return ep.address().is_v6() ? "[" + ip + "]:" + port : ip + ":" + port;
}

void ShrinkIfHuge(std::string* s) {
  if (s->capacity() > kKeepOutputCapacity) {
    std::string().swap(*s);
  }
}

}  // namespace

Connection::Connection(Shard& shard, ServedInstance& served, tcp::socket socket)
    : shard_(shard), served_(served), socket_(std::move(socket)) {
  session_.id = next_client_id.fetch_add(1, std::memory_order_relaxed);
  session_.sink = this;
  SetAuthenticated(!served_.access.has_password());
  boost::system::error_code ec;
  tcp::endpoint remote = socket_.remote_endpoint(ec);
  if (!ec) {
    session_.addr = FormatEndpoint(remote);
  }
  tcp::endpoint local = socket_.local_endpoint(ec);
  if (!ec) {
    laddr_ = FormatEndpoint(local);
  }
}

void Connection::Start(std::string_view input, std::string_view output) {
  boost::system::error_code ec;
  socket_.non_blocking(true, ec);
  socket_.set_option(tcp::no_delay(true), ec);
  socket_.set_option(asio::socket_base::keep_alive(true), ec);
  engine::OpenSession(*served_.inst, session_);
  served_.connections.emplace(session_.id, this);
  created_s_ = last_interaction_s_ = shard_.now_s();
  out_.append(output);
  if (!input.empty()) {
    in_.Append(input);
  }
  ServeInput();
}

void Connection::ServeInput() {
  ++busy_;
  ProcessInput();
  CommitThenFlush();
  if (!closed_ && !close_after_write_) {
    ReadMore();
  }
  --busy_;
  MaybeDestroy();
}

void Connection::ReadMore() {
  if (in_.size() > shard_.options().query_buffer_limit) {
    return Close();  // Redis: "closing client that reached max query buffer length"
  }
  size_t pending = parser_.PendingBulkBytes();
  in_.Reserve(pending > kMinRead ? pending : kMinRead);
  read_pending_ = true;
  socket_.async_read_some(asio::buffer(in_.write_ptr(), in_.writable()),
                          [this](const boost::system::error_code& ec, size_t n) { OnRead(ec, n); });
}

void Connection::OnRead(const boost::system::error_code& ec, size_t n) {
  read_pending_ = false;
  if (closed_) {
    return MaybeDestroy();
  }
  if (ec) {
    return Close();  // EOF, reset, or aborted by Close
  }
  in_.Commit(n);
  last_interaction_s_ = shard_.now_s();
  ServeInput();
}

void Connection::ProcessInput() {
  in_batch_ = true;
  while (!closed_ && !close_after_write_ && !session_.blocked) {
    std::string_view buf = in_.unparsed();
    if (buf.empty()) {
      break;
    }
    resp::ParseResult r = parser_.Next(buf, &args_);
    if (r.status == resp::ParseStatus::kNeedMore) {
      break;
    }
    if (r.status == resp::ParseStatus::kError) {
      // Like Redis: answer the error, drop the rest of the input and close once it is sent.
      resp::Writer w(&out_, session_.protocol);
      w.Error("ERR " + r.error);
      in_.Consume(buf.size());
      parser_.Reset();
      close_after_write_ = true;
      break;
    }
    if (!args_.empty()) {
      RunCommand(args_);
    }
    in_.Consume(r.consumed);  // after the command: args_ points into the buffer
  }
  if (in_.size() == 0) {
    in_.ShrinkIfIdle();
  }
  in_batch_ = false;
}

void Connection::RunCommand(Args args) {
  RememberCommand(args);
  const size_t mark = out_.size();
  resp::Writer w(&out_, session_.protocol);
  Special special = Classify(args[0]);
  bool no_auth_command = special == Special::kAuth || special == Special::kHello ||
                         special == Special::kQuit || special == Special::kReset;
  bool ours = (special == Special::kAuth || special == Special::kHello ||
               special == Special::kClient) &&
              !session_.in_multi &&
              !(session_.subscriptions() > 0 && session_.protocol == resp::Protocol::kResp2);
  if (!session_.authenticated && !no_auth_command && GateUnauthenticated(args, w)) {
    // answered NOAUTH
  } else if (ours) {
    RunConnectionCommand(args, w);
  } else {
    engine::Dispatch(*served_.inst, session_, args, w);
    if (session_.close_after_reply) {
      close_after_write_ = true;
    }
    if (special == Special::kReset && args.size() == 1) {
      AfterReset();
    }
    if (session_.blocked && session_.blocked_deadline_ms > 0) {
      shard_.WatchBlockedDeadline(served_.inst, session_.blocked_deadline_ms);
    }
  }
  if (reply_mode_ == ReplyMode::kOff || skip_current_) {
    out_.resize(mark);
  }
  skip_current_ = skip_next_;
  skip_next_ = false;
}

bool Connection::GateUnauthenticated(Args args, resp::Writer& w) {
  // Redis checks the command name and arity before authentication, so an unknown command gets
  // "unknown command" even before AUTH: leave those replies to the engine.
  const engine::CommandId* cmd = engine::FindCommand(args[0]);
  if (cmd == nullptr || !cmd->ArityOk(args.size())) {
    return false;
  }
  w.Error("NOAUTH Authentication required.");
  return true;
}

void Connection::RunConnectionCommand(Args args, resp::Writer& w) {
  switch (Classify(args[0])) {
    case Special::kAuth:
      return CmdAuth(args, w);
    case Special::kHello:
      return CmdHello(args, w);
    case Special::kClient:
      return CmdClient(args, w);
    default:
      return;
  }
}

void Connection::AfterReset() {
  SetAuthenticated(!served_.access.has_password());
  reply_mode_ = ReplyMode::kOn;
  skip_next_ = skip_current_ = false;
  no_evict_ = false;
}

void Connection::SetAuthenticated(bool v) {
  session_.authenticated = v;
  parser_.set_auth_required(!v);
}

void Connection::RememberCommand(Args args) {
  size_t n = args[0].size() < sizeof(last_cmd_) ? args[0].size() : sizeof(last_cmd_) - 1;
  std::memcpy(last_cmd_, args[0].data(), n);
  last_cmd_len_ = static_cast<uint8_t>(n);
}

void Connection::CommitLog() {
  engine::ChangeLog* log = served_.inst->change_log();
  if (log != nullptr && log->has_pending()) {
    log->Commit();
  }
}

void Connection::CommitThenFlush() {
  engine::ChangeLog* log = served_.inst->change_log();
  if (log != nullptr && log->has_pending()) {
    if (log->sync_before_reply()) {
      // fsync `always`: hold the replies until the record is on disk, and let the batches of
      // every connection that reads in this round share one fsync (RunDeferred commits).
      return shard_.Defer(this);
    }
    log->Commit();  // everysec: written now, synced by the background syncer
  }
  Flush();
}

void Connection::Flush() {
  if (closed_ || write_pending_) {
    return;
  }
  if (out_.empty()) {
    if (close_after_write_) {
      Close();
    }
    return;
  }
  // Try the write now: usually the socket takes it all and no asynchronous operation (nor its
  // handler) is needed. Only a full socket buffer falls back to async_write.
  boost::system::error_code ec;
  size_t n = socket_.write_some(asio::buffer(out_), ec);
  if (ec && ec != asio::error::would_block && ec != asio::error::try_again) {
    return Close();
  }
  if (n == out_.size()) {
    out_.clear();
    ShrinkIfHuge(&out_);
    if (close_after_write_) {
      Close();
    }
    return;
  }
  writing_.swap(out_);
  out_.clear();
  write_pending_ = true;
  asio::async_write(socket_, asio::buffer(writing_.data() + n, writing_.size() - n),
                    [this](const boost::system::error_code& e, size_t) { OnWrite(e); });
}

void Connection::OnWrite(const boost::system::error_code& ec) {
  write_pending_ = false;
  if (closed_) {
    return MaybeDestroy();
  }
  if (ec) {
    return Close();
  }
  writing_.clear();
  ShrinkIfHuge(&writing_);
  if (session_.subscriptions() > 0) {
    CheckOutputLimits();
  }
  ++busy_;
  if (kill_requested_) {
    Close();
  } else {
    Flush();
  }
  --busy_;
  MaybeDestroy();
}

void Connection::Deliver(std::string_view resp_bytes) {
  if (closed_ || kill_requested_ || reply_mode_ == ReplyMode::kOff) {
    return;
  }
  out_.append(resp_bytes);
  if (session_.subscriptions() > 0) {
    CheckOutputLimits();
  }
  // Inside our own batch the batch's write carries it; otherwise flush after the current
  // handler, so that one PUBLISH to many subscribers costs one write each, not one per message.
  if (!in_batch_ || kill_requested_) {
    shard_.Defer(this);
  }
}

void Connection::Wake(engine::Session&) {
  if (!closed_) {
    shard_.Defer(this);
  }
}

void Connection::CheckOutputLimits() {
  const ShardSetOptions& o = shard_.options();
  size_t pending = out_.size() + writing_.size();
  if (pending > o.pubsub_hard_limit) {
    kill_requested_ = true;
    return;
  }
  if (pending <= o.pubsub_soft_limit) {
    soft_limit_since_s_ = 0;
    return;
  }
  int64_t now = shard_.now_s() + 1;  // +1: 0 means "not over the soft limit"
  if (soft_limit_since_s_ == 0) {
    soft_limit_since_s_ = now;
  } else if (now - soft_limit_since_s_ >= o.pubsub_soft_seconds) {
    kill_requested_ = true;
  }
}

void Connection::RunDeferred() {
  deferred_queued_ = false;
  if (closed_) {
    return MaybeDestroy();
  }
  ++busy_;
  if (kill_requested_) {
    Close();
  } else {
    if (!session_.blocked) {
      ProcessInput();
    }
    CommitLog();  // a deferred flush may be a held `always` reply: its record goes first
    Flush();
  }
  --busy_;
  MaybeDestroy();
}

void Connection::Close() {
  if (closed_) {
    return;
  }
  closed_ = true;
  engine::CloseSession(*served_.inst, session_);
  served_.connections.erase(session_.id);
  boost::system::error_code ec;
  socket_.close(ec);  // pending operations complete with operation_aborted
  MaybeDestroy();
}

void Connection::MaybeDestroy() {
  if (closed_ && busy_ == 0 && !read_pending_ && !write_pending_ && !deferred_queued_) {
    delete this;
  }
}

}  // namespace mr::redis_server
