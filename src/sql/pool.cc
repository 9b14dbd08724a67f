#include "sql/pool.h"

#include <soci/soci.h>

#include "common/metrics.h"

namespace mr::sql {

SessionPool::Lease::Lease(SessionPool* pool, std::unique_ptr<soci::session> session)
    : pool_(pool), session_(std::move(session)) {}

SessionPool::Lease::Lease(Lease&& other) noexcept
    : pool_(other.pool_), session_(std::move(other.session_)), broken_(other.broken_) {}

SessionPool::Lease::~Lease() {
  if (session_) {
    pool_->Release(std::move(session_), broken_);
  }
}

SessionPool::SessionPool(size_t size, Opener opener, std::string name, std::string display)
    : size_(size == 0 ? 1 : size), opener_(std::move(opener)), display_(std::move(display)) {
  auto& registry = metrics::Registry();
  in_use_gauge_ = &prometheus::BuildGauge()
                       .Name("sql_pool_sessions_in_use")
                       .Help("Database sessions checked out of the pool.")
                       .Register(registry)
                       .Add({{"database", name}});
  waits_counter_ = &prometheus::BuildCounter()
                        .Name("sql_pool_waits_total")
                        .Help("Session checkouts that found the pool busy and had to wait.")
                        .Register(registry)
                        .Add({{"database", name}});
  timeouts_counter_ = &prometheus::BuildCounter()
                           .Name("sql_pool_timeouts_total")
                           .Help("Session checkouts that gave up at their deadline.")
                           .Register(registry)
                           .Add({{"database", name}});
}

SessionPool::~SessionPool() {
  std::lock_guard lock(mu_);
  idle_.clear();  // every lease must be gone by now: leases point at the pool
}

Result<SessionPool::Lease> SessionPool::Acquire(Clock::time_point deadline) {
  std::unique_lock lock(mu_);
  bool waited = false;
  while (idle_.empty() && open_ >= size_) {
    if (!waited) {
      waited = true;
      ++waits_;
      waits_counter_->Increment();
    }
    if (cv_.wait_until(lock, deadline) == std::cv_status::timeout && idle_.empty() &&
        open_ >= size_) {
      ++timeouts_;
      timeouts_counter_->Increment();
      return Status::Error(ErrorKind::kUnavailable,
                           "database " + display_ + ": all " + std::to_string(size_) +
                               " sessions busy; gave up waiting for one");
    }
  }
  if (!idle_.empty()) {
    auto session = std::move(idle_.back());
    idle_.pop_back();
    ++in_use_;
    in_use_gauge_->Increment();
    return Lease(this, std::move(session));
  }
  // Open a new session outside the lock: connecting may take up to the connect timeout.
  ++open_;
  lock.unlock();
  auto opened = opener_();
  lock.lock();
  if (!opened.ok()) {
    --open_;
    cv_.notify_one();
    return opened.status();
  }
  ++in_use_;
  in_use_gauge_->Increment();
  return Lease(this, std::move(opened).value());
}

void SessionPool::Release(std::unique_ptr<soci::session> session, bool broken) {
  bool keep = !broken && session->is_connected();
  {
    std::lock_guard lock(mu_);
    --in_use_;
    in_use_gauge_->Decrement();
    if (keep) {
      idle_.push_back(std::move(session));
    } else {
      --open_;
    }
  }
  cv_.notify_one();
  // A broken session is closed here, outside the pool's lock.
}

PoolStats SessionPool::Stats() const {
  std::lock_guard lock(mu_);
  return PoolStats{size_, open_, in_use_, waits_, timeouts_};
}

}  // namespace mr::sql
