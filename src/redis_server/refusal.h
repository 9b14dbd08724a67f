// A connection that is turned away (instance stopped, max clients reached): it gets one RESP error
// and is closed without losing that error to a TCP reset. Internal to src/redis_server.
#pragma once

#include <array>
#include <chrono>
#include <string_view>

#include "redis_server/shard.h"

namespace mr::redis_server {

/// Owns itself, like Greeter. Writes the error, half-closes, then reads and discards what the
/// client still sends until it closes too (or kLinger passes): closing a socket with unread input
/// makes the kernel send RST, which can destroy the error before the client reads it.
class Refusal {
 public:
  static constexpr auto kLinger = std::chrono::seconds(2);

  Refusal(Shard& shard, tcp::socket socket);
  /// `reply` is complete RESP (e.g. "-ERR max number of clients reached\r\n").
  void Start(std::string_view reply);
  /// Closes now (shard shutdown); deletes itself once its handlers have run.
  void Close();

 private:
  void ReadMore();
  void MaybeDestroy();

  Shard& shard_;
  tcp::socket socket_;
  asio::steady_timer linger_;
  std::array<char, 512> sink_{};
  int pending_ = 0;
  bool closed_ = false;
};

}  // namespace mr::redis_server
