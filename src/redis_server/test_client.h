// Test helper: a blocking RESP client over a real TCP socket, reading one whole reply at a time
// (RESP2 and RESP3), so tests can assert on exact reply bytes.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstdlib>
#include <initializer_list>
#include <string>
#include <string_view>

namespace mr::redis_server::testing {

class RespClient {
 public:
  explicit RespClient(uint16_t port, int timeout_s = 5) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0;
    SetTimeout(timeout_s * 1000);
    int one = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  }
  ~RespClient() { ::close(fd_); }
  RespClient(const RespClient&) = delete;
  RespClient& operator=(const RespClient&) = delete;

  bool connected() const { return connected_; }
  void SetTimeout(int ms) {
    timeval tv{ms / 1000, (ms % 1000) * 1000};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  }

  bool Send(std::string_view bytes) {
    while (!bytes.empty()) {
      ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) {
        return false;
      }
      bytes.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  static std::string Encode(std::initializer_list<std::string_view> args) {
    std::string out = "*" + std::to_string(args.size()) + "\r\n";
    for (std::string_view a : args) {
      out += "$" + std::to_string(a.size()) + "\r\n";
      out.append(a);
      out += "\r\n";
    }
    return out;
  }

  /// Sends one command and returns its raw reply ("" on timeout or close).
  std::string Call(std::initializer_list<std::string_view> args) {
    Send(Encode(args));
    return ReadReply();
  }

  /// The raw bytes of the next complete reply; "" when the peer closed or the timeout passed.
  std::string ReadReply() {
    for (;;) {
      size_t end = 0;
      if (ReplyEnd(buf_, 0, &end)) {
        std::string reply = buf_.substr(0, end);
        buf_.erase(0, end);
        return reply;
      }
      if (!Fill()) {
        return "";
      }
    }
  }

  /// True when the peer closed the connection (after any buffered bytes).
  bool PeerClosed() {
    char c;
    ssize_t n = ::recv(fd_, &c, 1, 0);
    return n == 0;
  }

  int fd() const { return fd_; }

 private:
  bool Fill() {
    char tmp[65536];
    ssize_t n = ::recv(fd_, tmp, sizeof(tmp), 0);
    if (n <= 0) {
      return false;
    }
    buf_.append(tmp, static_cast<size_t>(n));
    return true;
  }

  // Finds the end of the reply starting at `pos`; false when more bytes are needed.
  static bool ReplyEnd(const std::string& b, size_t pos, size_t* end) {
    size_t eol = b.find("\r\n", pos);
    if (pos >= b.size() || eol == std::string::npos) {
      return false;
    }
    char type = b[pos];
    std::string_view line(b.data() + pos + 1, eol - pos - 1);
    size_t next = eol + 2;
    switch (type) {
      case '$':
      case '=':
      case '!': {
        long len = std::strtol(std::string(line).c_str(), nullptr, 10);
        if (len < 0) {
          *end = next;
          return true;
        }
        if (b.size() < next + static_cast<size_t>(len) + 2) {
          return false;
        }
        *end = next + static_cast<size_t>(len) + 2;
        return true;
      }
      case '*':
      case '~':
      case '>':
      case '%':
      case '|': {
        long n = std::strtol(std::string(line).c_str(), nullptr, 10);
        if (type == '%' || type == '|') {
          n *= 2;
        }
        for (long i = 0; i < n; ++i) {
          if (!ReplyEnd(b, next, &next)) {
            return false;
          }
        }
        *end = next;
        return true;
      }
      default:
        *end = next;
        return true;
    }
  }

  int fd_ = -1;
  bool connected_ = false;
  std::string buf_;
};

}  // namespace mr::redis_server::testing
