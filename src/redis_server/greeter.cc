#include "redis_server/greeter.h"

#include <boost/asio/write.hpp>

#include "engine/server/command_context.h"
#include "resp/writer.h"

namespace mr::redis_server {

namespace {

using engine::EqualsNoCase;

constexpr size_t kMinRead = 4096;

}  // namespace

Greeter::Greeter(Shard& shard, tcp::socket socket, const InstanceDirectory& directory)
    : shard_(shard), socket_(std::move(socket)), directory_(directory) {
  // Redis' limits for clients that have not authenticated (10 arguments of 16 KB at most).
  parser_.set_auth_required(true);
}

void Greeter::ReadMore() {
  in_.Reserve(kMinRead);
  pending_ = true;
  socket_.async_read_some(asio::buffer(in_.write_ptr(), in_.writable()),
                          [this](const boost::system::error_code& ec, size_t n) { OnRead(ec, n); });
}

void Greeter::OnRead(const boost::system::error_code& ec, size_t n) {
  pending_ = false;
  if (closed_) {
    return Destroy();
  }
  if (ec) {
    return Close();
  }
  in_.Commit(n);
  for (;;) {
    std::string_view buf = in_.unparsed();
    if (buf.empty()) {
      break;
    }
    resp::ParseResult r = parser_.Next(buf, &args_);
    if (r.status == resp::ParseStatus::kNeedMore) {
      break;
    }
    if (r.status == resp::ParseStatus::kError) {
      resp::Writer(&out_).Error("ERR " + r.error);
      close_after_write_ = true;
      break;
    }
    Step step = args_.empty() ? Step::kContinue : RunCommand(buf);
    if (step == Step::kHandedOver) {
      return;  // `this` is gone
    }
    in_.Consume(r.consumed);
    if (step == Step::kStop) {
      break;
    }
  }
  if (out_.empty()) {
    return ReadMore();
  }
  pending_ = true;
  asio::async_write(socket_, asio::buffer(out_),
                    [this](const boost::system::error_code& e, size_t) { OnWrite(e); });
}

Greeter::Step Greeter::RunCommand(std::string_view command_bytes) {
  resp::Writer w(&out_);
  std::string_view name = args_[0];
  InstanceRoute route;
  if (EqualsNoCase(name, "auth")) {
    if (args_.size() < 2) {
      w.Error("ERR wrong number of arguments for 'auth' command");
    } else if (args_.size() > 3) {
      w.Error("ERR syntax error");
    } else if (args_.size() == 2) {
      w.Error("ERR this port serves many instances: use AUTH <instance-id> <password>");
    } else if (Resolve(args_[1], args_[2], &route)) {
      HandOver(route, command_bytes);
      return Step::kHandedOver;
    }
    return Step::kContinue;
  }
  if (EqualsNoCase(name, "hello")) {
    int64_t version = 0;
    if (args_.size() >= 2 && !engine::ParseInt(args_[1], &version)) {
      w.Error("ERR Protocol version is not an integer or out of range");
      return Step::kContinue;
    }
    if (args_.size() >= 2 && (version < 2 || version > 3)) {
      w.Error("NOPROTO unsupported protocol version");
      return Step::kContinue;
    }
    for (size_t i = 2; i + 2 < args_.size(); ++i) {
      if (EqualsNoCase(args_[i], "auth")) {
        if (Resolve(args_[i + 1], args_[i + 2], &route)) {
          HandOver(route, command_bytes);  // the instance's shard runs this HELLO again
          return Step::kHandedOver;
        }
        return Step::kContinue;
      }
    }
    w.Error(
        "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO "
        "AUTH <user> <pass> option can be used to authenticate the client and select the RESP "
        "protocol version at the same time");
    return Step::kContinue;
  }
  if (EqualsNoCase(name, "quit")) {
    w.SimpleString("OK");
    close_after_write_ = true;
    return Step::kStop;
  }
  if (EqualsNoCase(name, "reset")) {
    w.SimpleString("RESET");
    return Step::kContinue;
  }
  w.Error("NOAUTH Authentication required.");
  return Step::kContinue;
}

bool Greeter::Resolve(std::string_view id, std::string_view password, InstanceRoute* route) {
  std::optional<InstanceRoute> found = directory_.Lookup(id);
  if (!found || found->instance == nullptr || !PasswordMatches(found->password, found->password_verifier, password)) {
    resp::Writer(&out_).Error("WRONGPASS invalid username-password pair or user is disabled.");
    return false;
  }
  if (found->stopped) {
    resp::Writer(&out_).Error("ERR instance '" + std::string(id) + "' is stopped");
    return false;
  }
  *route = std::move(*found);
  return true;
}

void Greeter::HandOver(const InstanceRoute& route, std::string_view input) {
  // The AUTH (or HELLO) itself travels with the socket: the instance's connection runs it again
  // (it accepts the instance id as user name), so replies keep their order and HELLO its map.
  std::string rest(input);
  boost::system::error_code ec;
  int fd = socket_.release(ec);
  if (ec) {
    closed_ = true;
    return Destroy();
  }
  shard_.owner().AdoptConnection(route.shard, fd, route.instance, std::move(rest),
                                 std::move(out_));
  Destroy();
}

void Greeter::OnWrite(const boost::system::error_code& ec) {
  pending_ = false;
  if (closed_) {
    return Destroy();
  }
  if (ec || close_after_write_) {
    return Close();
  }
  out_.clear();
  ReadMore();
}

void Greeter::Close() {
  if (closed_) {
    return;
  }
  closed_ = true;
  boost::system::error_code ec;
  socket_.close(ec);
  if (!pending_) {
    Destroy();
  }
}

void Greeter::Destroy() {
  shard_.ForgetGreeter(this);
  delete this;
}

}  // namespace mr::redis_server
