// A bounded pool of database sessions, opened lazily up to the size. A checkout waits at most until
// its deadline, then fails with kUnavailable: a dead or saturated database is a quick error (a 503
// upstream), never a hung request.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "sql/error.h"

namespace soci {
class session;
}

namespace prometheus {
class Gauge;
class Counter;
}  // namespace prometheus

namespace mr::sql {

struct PoolStats {
  size_t size = 0;      // the bound
  size_t open = 0;      // sessions open now
  size_t in_use = 0;    // checked out now
  uint64_t waits = 0;   // checkouts that found no free session and had to wait
  uint64_t timeouts = 0;  // checkouts that gave up at their deadline
};

class SessionPool {
 public:
  using Opener = std::function<Result<std::unique_ptr<soci::session>>()>;
  using Clock = std::chrono::steady_clock;

  /// One checked-out session; goes back to the pool when destroyed, or is closed if marked broken.
  class Lease {
   public:
    Lease(SessionPool* pool, std::unique_ptr<soci::session> session);
    Lease(Lease&& other) noexcept;
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    soci::session& session() { return *session_; }
    void MarkBroken() { broken_ = true; }

   private:
    SessionPool* pool_;
    std::unique_ptr<soci::session> session_;
    bool broken_ = false;
  };

  /// `name` labels the metrics (e.g. "auth"); `display` is the redacted connection string.
  SessionPool(size_t size, Opener opener, std::string name, std::string display);
  ~SessionPool();

  Result<Lease> Acquire(Clock::time_point deadline);
  PoolStats Stats() const;

 private:
  void Release(std::unique_ptr<soci::session> session, bool broken);

  const size_t size_;
  Opener opener_;
  std::string display_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<soci::session>> idle_;
  size_t open_ = 0;  // idle + in use + being opened
  size_t in_use_ = 0;
  uint64_t waits_ = 0;
  uint64_t timeouts_ = 0;
  prometheus::Gauge* in_use_gauge_;
  prometheus::Counter* waits_counter_;
  prometheus::Counter* timeouts_counter_;
};

}  // namespace mr::sql
