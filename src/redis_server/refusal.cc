#include "redis_server/refusal.h"

#include <boost/asio/write.hpp>

namespace mr::redis_server {

Refusal::Refusal(Shard& shard, tcp::socket socket)
    : shard_(shard), socket_(std::move(socket)), linger_(shard.io()) {}

void Refusal::Start(std::string_view reply) {
  boost::system::error_code ec;
  // A few dozen bytes into an empty send buffer: a non-blocking write takes them all.
  socket_.non_blocking(true, ec);
  asio::write(socket_, asio::buffer(reply.data(), reply.size()), ec);
  socket_.shutdown(tcp::socket::shutdown_send, ec);
  ++pending_;
  linger_.expires_after(kLinger);
  linger_.async_wait([this](const boost::system::error_code&) {
    --pending_;
    Close();
  });
  ReadMore();
}

void Refusal::ReadMore() {
  ++pending_;
  socket_.async_read_some(asio::buffer(sink_), [this](const boost::system::error_code& ec, size_t) {
    --pending_;
    if (ec || closed_) {
      return Close();  // EOF: the client has read the error and closed
    }
    ReadMore();
  });
}

void Refusal::Close() {
  if (!closed_) {
    closed_ = true;
    boost::system::error_code ec;
    socket_.close(ec);
    linger_.cancel();
  }
  MaybeDestroy();
}

void Refusal::MaybeDestroy() {
  if (closed_ && pending_ == 0) {
    shard_.ForgetRefusal(this);
    delete this;
  }
}

}  // namespace mr::redis_server
