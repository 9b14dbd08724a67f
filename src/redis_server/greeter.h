// A shared-port connection before it has chosen an instance: it answers only AUTH/HELLO AUTH
// (resolved through the directory), QUIT and RESET, then hands the socket to the instance's shard.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "redis_server/input_buffer.h"
#include "redis_server/instance_directory.h"
#include "redis_server/shard.h"
#include "resp/parser.h"

namespace mr::redis_server {

/// Owns itself, like Connection. Reads and writes strictly in turn, so that at the moment of the
/// handover no operation is pending and every byte read or owed travels with the socket.
class Greeter {
 public:
  Greeter(Shard& shard, tcp::socket socket, const InstanceDirectory& directory);
  void Start() { ReadMore(); }
  void Close();

 private:
  enum class Step { kContinue, kStop, kHandedOver };

  void ReadMore();
  void OnRead(const boost::system::error_code& ec, size_t n);
  Step RunCommand(std::string_view command_bytes);
  // The instance an AUTH or HELLO ... AUTH names, if its credentials are right; replies the
  // error otherwise.
  bool Resolve(std::string_view id, std::string_view password, InstanceRoute* route);
  void HandOver(const InstanceRoute& route, std::string_view input);
  void OnWrite(const boost::system::error_code& ec);
  void Destroy();

  Shard& shard_;
  tcp::socket socket_;
  const InstanceDirectory& directory_;
  resp::Parser parser_;
  std::vector<std::string_view> args_;
  InputBuffer in_;
  std::string out_;
  bool close_after_write_ = false;
  bool closed_ = false;
  bool pending_ = false;  // a read or a write is in flight
};

}  // namespace mr::redis_server
