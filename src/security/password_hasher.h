// Account passwords at rest: argon2id (libsodium) PHC strings, and a bounded worker pool that runs
// the expensive hashes off the I/O threads. A full queue is refused at once, never piled up.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/status.h"

namespace mr::security {

/// argon2id work factors. Each running hash holds `mem_limit_bytes` of RAM.
struct PasswordCost {
  uint64_t ops_limit = 0;
  size_t mem_limit_bytes = 0;
  /// libsodium's interactive limits: 2 passes over 64 MiB (~257 ms on the reference machine).
  static PasswordCost Interactive();
  /// libsodium's moderate limits: 3 passes over 256 MiB.
  static PasswordCost Moderate();
  /// The smallest cost argon2id accepts; for tests only.
  static PasswordCost Minimal();
};

/// "$argon2id$v=19$m=...,t=...,p=1$salt$hash". Fails only when memory runs out.
Result<std::string> HashPassword(std::string_view password, const PasswordCost& cost);

struct PasswordCheck {
  bool match = false;
  /// The stored string uses another algorithm or other costs: store HashPassword's output anew.
  bool needs_rehash = false;
};

/// Checks `password` against a PHC string from HashPassword (constant time inside libsodium).
PasswordCheck VerifyPassword(std::string_view password, std::string_view stored,
                             const PasswordCost& cost);

/// What happened to a job handed to PasswordHasher.
enum class Admission {
  kAccepted,   ///< the callback will run exactly once, on a worker thread
  kQueueFull,  ///< refused at once; answer 503 + Retry-After; the callback never runs
  kStopped,    ///< the hasher is shutting down; the callback never runs
};

class PasswordHasher {
 public:
  struct Options {
    size_t threads = 2;
    /// Jobs waiting for a worker (running ones not counted). Bounds both latency and memory.
    size_t queue_capacity = 16;
    PasswordCost cost = PasswordCost::Interactive();
  };
  using HashDone = std::function<void(Result<std::string>)>;
  using VerifyDone = std::function<void(Result<PasswordCheck>)>;

  template <typename T>
  struct Pending {
    Admission admission = Admission::kStopped;
    std::future<T> result;  ///< valid only when admission == kAccepted
  };

  explicit PasswordHasher(Options options);
  /// Jobs still queued get an error result ("shutting down"); running ones finish.
  ~PasswordHasher();
  PasswordHasher(const PasswordHasher&) = delete;
  PasswordHasher& operator=(const PasswordHasher&) = delete;

  /// Hashes with the configured cost; `done` runs on a worker thread.
  Admission Hash(std::string password, HashDone done);
  /// Verifies against `stored`. An empty `stored` (unknown account) still costs one full hash and
  /// answers no match, so response times do not reveal which emails exist.
  Admission Verify(std::string password, std::string stored, VerifyDone done);

  Pending<Result<std::string>> Hash(std::string password);
  Pending<Result<PasswordCheck>> Verify(std::string password, std::string stored);

  size_t queued() const;
  const Options& options() const { return options_; }

 private:
  struct Job {
    std::function<void()> run;
    std::function<void()> cancel;
  };
  Admission Submit(Job job);
  template <typename Done, typename Work>
  Admission SubmitWithPassword(std::string password, Done done, Work work);
  void WorkerLoop();
  const std::string& DummyHash();

  const Options options_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::deque<Job> queue_;
  bool stopping_ = false;
  std::once_flag dummy_once_;
  std::string dummy_hash_;
  std::vector<std::thread> workers_;
};

}  // namespace mr::security
