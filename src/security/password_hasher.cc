#include "security/password_hasher.h"

#include <sodium.h>

#include <memory>

#include "security/sodium_init.h"

namespace mr::security {
namespace {

constexpr std::string_view kArgon2idPrefix = "$argon2id$";

// Passwords are moved into jobs; wipe the copy once the job is done with it.
void Wipe(std::string* s) {
  if (!s->empty()) {
    sodium_memzero(s->data(), s->size());
  }
  s->clear();
}

}  // namespace

PasswordCost PasswordCost::Interactive() {
  return {crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE, crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE};
}

PasswordCost PasswordCost::Moderate() {
  return {crypto_pwhash_argon2id_OPSLIMIT_MODERATE, crypto_pwhash_argon2id_MEMLIMIT_MODERATE};
}

PasswordCost PasswordCost::Minimal() {
  return {crypto_pwhash_argon2id_OPSLIMIT_MIN, crypto_pwhash_argon2id_MEMLIMIT_MIN};
}

Result<std::string> HashPassword(std::string_view password, const PasswordCost& cost) {
  EnsureSodium();
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), cost.ops_limit,
                            cost.mem_limit_bytes, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Status::Error("password hashing failed: out of memory or invalid argon2id limits");
  }
  return std::string(out);
}

PasswordCheck VerifyPassword(std::string_view password, std::string_view stored,
                             const PasswordCost& cost) {
  EnsureSodium();
  if (stored.empty() || stored.size() >= crypto_pwhash_STRBYTES) {
    return {};
  }
  std::string terminated(stored);  // libsodium wants a NUL-terminated string
  PasswordCheck check;
  check.match = crypto_pwhash_str_verify(terminated.c_str(), password.data(), password.size()) == 0;
  if (check.match) {
    bool argon2id = stored.substr(0, kArgon2idPrefix.size()) == kArgon2idPrefix;
    check.needs_rehash = !argon2id || crypto_pwhash_str_needs_rehash(
                                          terminated.c_str(), cost.ops_limit,
                                          cost.mem_limit_bytes) != 0;
  }
  return check;
}

PasswordHasher::PasswordHasher(Options options) : options_(options) {
  EnsureSodium();
  size_t n = options_.threads == 0 ? 1 : options_.threads;
  for (size_t i = 0; i < n; ++i) {
    workers_.emplace_back([this] { WorkerLoop(); });
  }
}

PasswordHasher::~PasswordHasher() {
  std::deque<Job> left;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    left.swap(queue_);
  }
  wake_.notify_all();
  for (auto& job : left) {
    job.cancel();
  }
  for (auto& t : workers_) {
    t.join();
  }
}

Admission PasswordHasher::Submit(Job job) {
  {
    std::lock_guard lock(mu_);
    if (stopping_) {
      return Admission::kStopped;
    }
    if (queue_.size() >= options_.queue_capacity) {
      return Admission::kQueueFull;
    }
    queue_.push_back(std::move(job));
  }
  wake_.notify_one();
  return Admission::kAccepted;
}

void PasswordHasher::WorkerLoop() {
  for (;;) {
    Job job;
    {
      std::unique_lock lock(mu_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) {
        return;  // stopping, nothing left
      }
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    job.run();
  }
}

const std::string& PasswordHasher::DummyHash() {
  std::call_once(dummy_once_, [this] {
    auto h = HashPassword("no such account: equalise the time of a failed login", options_.cost);
    dummy_hash_ = h.ok() ? *h : std::string();
  });
  return dummy_hash_;
}

size_t PasswordHasher::queued() const {
  std::lock_guard lock(mu_);
  return queue_.size();
}

// Queues work on a password: the password is wiped once the work ran, when the job is cancelled
// at shutdown (the callback gets an error) and when the queue refuses it.
template <typename Done, typename Work>
Admission PasswordHasher::SubmitWithPassword(std::string password, Done done, Work work) {
  auto pw = std::make_shared<std::string>(std::move(password));
  auto cb = std::make_shared<Done>(std::move(done));
  Job job{[pw, cb, work] {
            auto result = work(*pw);
            Wipe(pw.get());
            (*cb)(std::move(result));
          },
          [pw, cb] {
            Wipe(pw.get());
            (*cb)(Status::Error("password hasher is shutting down"));
          }};
  Admission a = Submit(std::move(job));
  if (a != Admission::kAccepted) {
    Wipe(pw.get());
  }
  return a;
}

Admission PasswordHasher::Hash(std::string password, HashDone done) {
  return SubmitWithPassword(std::move(password), std::move(done), [this](const std::string& pw) {
    return HashPassword(pw, options_.cost);
  });
}

Admission PasswordHasher::Verify(std::string password, std::string stored, VerifyDone done) {
  auto st = std::make_shared<std::string>(std::move(stored));
  return SubmitWithPassword(std::move(password), std::move(done),
                            [this, st](const std::string& pw) -> Result<PasswordCheck> {
                              if (st->empty()) {  // unknown account: cost a hash all the same
                                VerifyPassword(pw, DummyHash(), options_.cost);
                                return PasswordCheck{};
                              }
                              return VerifyPassword(pw, *st, options_.cost);
                            });
}

PasswordHasher::Pending<Result<std::string>> PasswordHasher::Hash(std::string password) {
  auto promise = std::make_shared<std::promise<Result<std::string>>>();
  Pending<Result<std::string>> pending;
  pending.result = promise->get_future();
  pending.admission =
      Hash(std::move(password),
           [promise](Result<std::string> r) { promise->set_value(std::move(r)); });
  if (pending.admission != Admission::kAccepted) {
    pending.result = {};
  }
  return pending;
}

PasswordHasher::Pending<Result<PasswordCheck>> PasswordHasher::Verify(std::string password,
                                                                      std::string stored) {
  auto promise = std::make_shared<std::promise<Result<PasswordCheck>>>();
  Pending<Result<PasswordCheck>> pending;
  pending.result = promise->get_future();
  pending.admission =
      Verify(std::move(password), std::move(stored),
             [promise](Result<PasswordCheck> r) { promise->set_value(std::move(r)); });
  if (pending.admission != Admission::kAccepted) {
    pending.result = {};
  }
  return pending;
}

}  // namespace mr::security
