#include "storage/append_log.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <thread>
#include <vector>

#include "resp/parser.h"

namespace mr::storage {

namespace {

std::string ErrnoText(const std::string& what, const std::string& path) {
  return what + " " + path + ": " + std::strerror(errno);
}

bool IsName(std::string_view arg, std::string_view lower) {
  if (arg.size() != lower.size()) {
    return false;
  }
  for (size_t i = 0; i < arg.size(); ++i) {
    if ((arg[i] | 0x20) != lower[i]) {
      return false;
    }
  }
  return true;
}

}  // namespace

int64_t SteadyMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch()).count();
}

LogFile::LogFile(std::string path, int fd, uint64_t size)
    : path_(std::move(path)), fd_(fd), written_(size), synced_(size) {}

LogFile::~LogFile() { ::close(fd_); }

Result<std::shared_ptr<LogFile>> LogFile::Open(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    return Status::Error(ErrnoText("cannot open", path));
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    Status s = Status::Error(ErrnoText("cannot stat", path));
    ::close(fd);
    return s;
  }
  return std::shared_ptr<LogFile>(new LogFile(path, fd, static_cast<uint64_t>(st.st_size)));
}

Status LogFile::Write(std::string_view bytes) {
  const uint64_t before = written_.load(std::memory_order_relaxed);
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd_, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      Status s = Status::Error(ErrnoText("cannot write", path_));
      if (done > 0 && ::ftruncate(fd_, static_cast<off_t>(before)) != 0) {
        // The partial record stays; ReadLog stops there and reports it as dropped.
      }
      return s;
    }
    done += static_cast<size_t>(n);
  }
  written_.store(before + bytes.size(), std::memory_order_relaxed);
  return Status::Ok();
}

Status LogFile::Sync() {
  uint64_t target = written_.load(std::memory_order_relaxed);
  if (target == synced_.load(std::memory_order_relaxed)) {
    return Status::Ok();
  }
  if (::fdatasync(fd_) != 0) {
    failed_syncs_.fetch_add(1, std::memory_order_relaxed);
    return Status::Error(ErrnoText("cannot fsync", path_));
  }
  // A concurrent sync may have covered more already; never move backwards.
  uint64_t prev = synced_.load(std::memory_order_relaxed);
  while (prev < target && !synced_.compare_exchange_weak(prev, target)) {
  }
  last_sync_ms_.store(SteadyMs(), std::memory_order_relaxed);
  return Status::Ok();
}

namespace {

class Syncer {
 public:
  ~Syncer() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) {
      thread_.join();
    }
  }

  void Add(const std::shared_ptr<LogFile>& file) {
    std::lock_guard lock(mu_);
    files_.push_back(file);
    if (!thread_.joinable()) {
      thread_ = std::thread([this] { Run(); });
    }
  }

 private:
  void Run() {
    std::unique_lock lock(mu_);
    while (!cv_.wait_for(lock, std::chrono::seconds(1), [this] { return stop_; })) {
      std::vector<std::shared_ptr<LogFile>> live;
      for (auto it = files_.begin(); it != files_.end();) {
        if (auto f = it->lock()) {
          live.push_back(std::move(f));
          ++it;
        } else {
          it = files_.erase(it);
        }
      }
      lock.unlock();
      for (auto& f : live) {
        (void)f->Sync();  // failures are counted by the file and reported by its storage
      }
      live.clear();  // the last owner of a rotated file closes it here, not under the lock
      lock.lock();
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::weak_ptr<LogFile>> files_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace

void SyncEverySecond(const std::shared_ptr<LogFile>& file) {
  static Syncer syncer;
  syncer.Add(file);
}

LogReadReport ReadLog(std::string_view data, const LogApply& apply) {
  LogReadReport r;
  resp::Parser parser;
  std::vector<std::string_view> args;
  std::vector<std::vector<std::string_view>> transaction;
  bool in_multi = false;
  size_t multi_start = 0;
  size_t pos = 0;
  auto run = [&](std::span<const std::string_view> cmd) {
    ++r.commands;
    if (!apply(cmd)) {
      if (r.rejected++ == 0) {
        r.first_rejected = std::string(cmd[0].substr(0, 64));
      }
    }
  };
  while (pos < data.size()) {
    if (data[pos] != '*') {
      r.error = "not a RESP array at byte " + std::to_string(pos);
      break;
    }
    resp::ParseResult pr = parser.Next(data.substr(pos), &args);
    if (pr.status == resp::ParseStatus::kNeedMore) {
      r.error = "record cut short at byte " + std::to_string(pos);
      break;
    }
    if (pr.status == resp::ParseStatus::kError) {
      r.error = pr.error + " at byte " + std::to_string(pos);
      break;
    }
    const size_t start = pos;
    pos += pr.consumed;
    if (args.empty()) {  // "*0": nothing to apply, but a whole record all the same
      if (!in_multi) {
        r.valid_bytes = pos;
      }
      continue;
    }
    if (IsName(args[0], "multi") && args.size() == 1) {
      in_multi = true;
      multi_start = start;
      transaction.clear();
      continue;
    }
    if (in_multi && IsName(args[0], "exec") && args.size() == 1) {
      for (const auto& cmd : transaction) {
        run(cmd);
      }
      in_multi = false;
      transaction.clear();
      r.valid_bytes = pos;
      continue;
    }
    if (in_multi) {
      transaction.push_back(args);  // views into `data`, which outlives the transaction
      continue;
    }
    run(args);
    r.valid_bytes = pos;
  }
  if (in_multi && r.error.empty()) {
    r.error = "transaction without EXEC at byte " + std::to_string(multi_start);
  }
  r.dropped_bytes = data.size() - r.valid_bytes;
  return r;
}

LogReadReport ReadLogFile(const std::string& path, const LogApply& apply) {
  LogReadReport r;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    r.error = ErrnoText("cannot open", path);
    return r;
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    r.error = ErrnoText("cannot stat", path);
    ::close(fd);
    return r;
  }
  if (st.st_size == 0) {
    ::close(fd);
    return r;
  }
  size_t len = static_cast<size_t>(st.st_size);
  void* map = ::mmap(nullptr, len, PROT_READ, MAP_PRIVATE, fd, 0);
  ::close(fd);
  if (map == MAP_FAILED) {
    r.error = ErrnoText("cannot map", path);
    return r;
  }
  ::madvise(map, len, MADV_SEQUENTIAL);
  r = ReadLog(std::string_view(static_cast<const char*>(map), len), apply);
  ::munmap(map, len);
  return r;
}

}  // namespace mr::storage
