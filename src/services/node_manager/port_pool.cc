#include "services/node_manager/port_pool.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace mr::services {
namespace {

bool CanBind(uint32_t addr, uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) {
    return false;
  }
  // SO_REUSEADDR as our listeners use it: a port in TIME_WAIT from our own closed listener is
  // free for us, while a port another process listens on is not.
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(addr);
  bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0;
  ::close(fd);
  return ok;
}

}  // namespace

PortPool::PortPool(uint16_t first, uint16_t last, std::chrono::milliseconds quarantine,
                   Probe probe, Clock clock)
    : first_(first), last_(last), quarantine_(quarantine), probe_(std::move(probe)),
      clock_(std::move(clock)) {}

bool PortPool::BindProbe(uint16_t port) {
  return CanBind(INADDR_LOOPBACK, port) && CanBind(INADDR_ANY, port);
}

int64_t PortPool::SteadyNowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch()).count();
}

void PortPool::ExpireQuarantine(int64_t now) {
  std::erase_if(quarantine_until_, [now](const auto& kv) { return kv.second <= now; });
}

Result<uint16_t> PortPool::Allocate(const std::string& owner) {
  std::lock_guard lock(mu_);
  ExpireQuarantine(clock_());
  size_t taken_elsewhere = 0;
  for (uint32_t p = first_; p <= last_; ++p) {
    auto port = static_cast<uint16_t>(p);
    if (owners_.count(port) || quarantine_until_.count(port)) {
      continue;
    }
    if (!probe_(port)) {
      ++taken_elsewhere;  // another process listens there: skip it, try the next one
      continue;
    }
    owners_[port] = owner;
    return port;
  }
  return Status::Error("dedicated port pool " + std::to_string(first_) + "-" +
                       std::to_string(last_) + " is exhausted (" + std::to_string(owners_.size()) +
                       " in use, " + std::to_string(quarantine_until_.size()) +
                       " in quarantine, " + std::to_string(taken_elsewhere) +
                       " held by other processes)");
}

Status PortPool::Claim(uint16_t port, const std::string& owner) {
  std::lock_guard lock(mu_);
  if (!Contains(port)) {
    return Status::Error("port " + std::to_string(port) + " is outside the pool " +
                         std::to_string(first_) + "-" + std::to_string(last_));
  }
  auto it = owners_.find(port);
  if (it != owners_.end() && it->second != owner) {
    return Status::Error("port " + std::to_string(port) + " belongs to instance " + it->second);
  }
  owners_[port] = owner;
  quarantine_until_.erase(port);
  return Status::Ok();
}

void PortPool::Release(uint16_t port) {
  std::lock_guard lock(mu_);
  if (owners_.erase(port) > 0) {
    quarantine_until_[port] = clock_() + quarantine_.count();
  }
}

void PortPool::RestoreQuarantine(uint16_t port, int64_t released_at_ms) {
  std::lock_guard lock(mu_);
  if (Contains(port) && !owners_.count(port)) {
    quarantine_until_[port] = released_at_ms + quarantine_.count();
  }
}

size_t PortPool::used() const {
  std::lock_guard lock(mu_);
  return owners_.size();
}

size_t PortPool::quarantined() const {
  std::lock_guard lock(mu_);
  int64_t now = clock_();
  size_t n = 0;
  for (const auto& [port, until] : quarantine_until_) {
    n += until > now;
  }
  return n;
}

std::map<uint16_t, int64_t> PortPool::QuarantineSnapshot() const {
  std::lock_guard lock(mu_);
  std::map<uint16_t, int64_t> out;
  for (const auto& [port, until] : quarantine_until_) {
    out[port] = until - quarantine_.count();
  }
  return out;
}

}  // namespace mr::services
