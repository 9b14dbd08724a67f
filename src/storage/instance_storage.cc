#include "storage/instance_storage.h"

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>

#include "engine/server/engine.h"
#include "engine/server/snapshot.h"
#include "persistence/byte_sink.h"

namespace mr::storage {

namespace fs = std::filesystem;

namespace {

// Snapshot children alive in this process at once: each costs a fork and copy-on-write memory,
// so a node with thousands of instances takes its snapshots a few at a time.
constexpr int kMaxChildren = 2;
std::atomic<int> g_children{0};

int64_t UnixSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch()).count();
}

// "dump-0000000042.rdb" -> 42; false for anything else.
bool ParseGeneration(const std::string& name, std::string_view prefix, std::string_view ext,
                     uint64_t* out) {
  if (name.size() != prefix.size() + 10 + ext.size() || name.compare(0, prefix.size(), prefix) != 0 ||
      name.compare(name.size() - ext.size(), ext.size(), ext) != 0) {
    return false;
  }
  uint64_t v = 0;
  for (size_t i = prefix.size(); i < prefix.size() + 10; ++i) {
    if (name[i] < '0' || name[i] > '9') {
      return false;
    }
    v = v * 10 + static_cast<uint64_t>(name[i] - '0');
  }
  *out = v;
  return true;
}

struct Files {
  std::map<uint64_t, std::string> dumps;
  std::map<uint64_t, std::string> logs;
  uint64_t max_generation = 0;
};

Files ListFiles(const std::string& dir) {
  Files f;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    std::string name = e.path().filename().string();
    uint64_t g = 0;
    if (ParseGeneration(name, "dump-", ".rdb", &g)) {
      f.dumps[g] = e.path().string();
    } else if (ParseGeneration(name, "appendonly-", ".aof", &g)) {
      f.logs[g] = e.path().string();
    } else if (name.rfind(".dump-", 0) == 0) {
      fs::remove(e.path(), ec);  // a snapshot that never finished
      continue;
    } else {
      continue;
    }
    f.max_generation = std::max(f.max_generation, g);
  }
  return f;
}

uint64_t FileSize(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
}

int64_t ModifiedSeconds(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? static_cast<int64_t>(st.st_mtime) : UnixSeconds();
}

void SetAside(const std::string& path, std::vector<std::string>* problems) {
  std::string to = path + ".damaged-" + std::to_string(UnixSeconds());
  std::error_code ec;
  fs::rename(path, to, ec);
  if (ec) {
    problems->push_back("could not set " + path + " aside: " + ec.message());
  }
}

}  // namespace

InstanceStorage::InstanceStorage(engine::Instance& inst, StorageOptions options)
    : inst_(inst), options_(std::move(options)) {
  set_recording(options_.append_log);
}

InstanceStorage::~InstanceStorage() {
  if (child_ > 0) {
    ::kill(child_, SIGKILL);  // its snapshot is not wanted any more (deleted, switched off)
  }
  ReapChild(true);
  if (inst_.change_log() == this) {
    inst_.set_change_log(nullptr);
  }
}

std::string InstanceStorage::PathOf(const char* prefix, uint64_t generation,
                                    const char* ext) const {
  char name[64];
  std::snprintf(name, sizeof(name), "%s%010llu%s", prefix,
                static_cast<unsigned long long>(generation), ext);
  return options_.dir + "/" + name;
}

Result<std::unique_ptr<InstanceStorage>> InstanceStorage::Open(engine::Instance& inst,
                                                               StorageOptions options,
                                                               RestoreReport* report) {
  std::error_code ec;
  fs::create_directories(options.dir, ec);
  if (ec) {
    return Status::Error("cannot create " + options.dir + ": " + ec.message());
  }
  std::unique_ptr<InstanceStorage> s(new InstanceStorage(inst, std::move(options)));
  RestoreReport local;
  RestoreReport* r = report != nullptr ? report : &local;
  if (s->options_.restore) {
    s->Restore(r);
  } else {
    s->generation_ = ListFiles(s->options_.dir).max_generation + 1;
  }
  if (s->options_.append_log) {
    if (Status st = s->OpenSegment(s->generation_); !st.ok()) {
      return st;
    }
  }
  inst.set_change_log(s.get());
  if (!s->options_.restore) {
    if (Status st = s->Save(); !st.ok()) {
      return st;
    }
  } else if (!r->clean()) {
    // The damaged files are set aside: a snapshot now makes what was loaded durable again.
    if (Status st = s->Save(); !st.ok()) {
      r->problems.push_back("snapshot after restore failed: " + st.message());
    }
  }
  return s;
}

void RemovePersistenceFiles(const std::string& dir) {
  Files files = ListFiles(dir);
  std::error_code ec;
  for (const auto& [g, path] : files.dumps) {
    fs::remove(path, ec);
  }
  for (const auto& [g, path] : files.logs) {
    fs::remove(path, ec);
  }
}

void InstanceStorage::Restore(RestoreReport* r) {
  const auto start = std::chrono::steady_clock::now();
  Files files = ListFiles(options_.dir);
  uint64_t base = 0;
  std::vector<std::string> damaged;
  if (!files.dumps.empty()) {
    base = files.dumps.rbegin()->first;
    r->snapshot = files.dumps.rbegin()->second;
    persistence::LoadReport lr = engine::LoadSnapshotFile(inst_, r->snapshot);
    r->snapshot_keys = lr.keys_loaded;
    auto expired = lr.skipped_by_type.find("expired");
    uint64_t skipped =
        lr.keys_skipped - (expired == lr.skipped_by_type.end() ? 0 : expired->second);
    if (!lr.clean() || skipped > 0) {
      r->problems.push_back(fs::path(r->snapshot).filename().string() + ": loaded " +
                            std::to_string(lr.keys_loaded) + " keys, skipped " +
                            std::to_string(skipped) +
                            (lr.error.empty() ? "" : ", stopped: " + lr.error) +
                            (lr.checksum == persistence::ChecksumState::kMismatch
                                 ? ", checksum mismatch"
                                 : ""));
      damaged.push_back(r->snapshot);
    }
    base_bytes_ = FileSize(r->snapshot);
  }
  inst_.set_loading(true);
  engine::Session session;
  std::string scratch;
  for (const auto& [g, path] : files.logs) {
    if (g < base) {
      continue;  // covered by the snapshot; left over from a crash before cleanup
    }
    r->log_files++;
    LogReadReport lr = ReadLogFile(path, [&](std::span<const std::string_view> args) {
      return engine::Replay(inst_, session, args, &scratch);
    });
    r->log_commands += lr.commands;
    r->rejected_commands += lr.rejected;
    r->dropped_bytes += lr.dropped_bytes;
    if (!lr.error.empty() || lr.rejected > 0) {
      r->problems.push_back(
          fs::path(path).filename().string() + ": replayed " + std::to_string(lr.commands) +
          " commands" +
          (lr.rejected > 0 ? ", " + std::to_string(lr.rejected) + " refused (first: " +
                                 lr.first_rejected + ")"
                           : "") +
          (lr.error.empty() ? "" : ", dropped " + std::to_string(lr.dropped_bytes) +
                                       " bytes: " + lr.error));
      damaged.push_back(path);
    }
  }
  inst_.set_loading(false);
  inst_.counters.dirty = 0;  // like Redis after loading: nothing unsaved, no commands served
  inst_.counters.total_commands = 0;
  for (const std::string& path : damaged) {
    SetAside(path, &r->problems);
  }
  generation_ = files.max_generation + 1;
  last_save_s_ = r->snapshot.empty() ? UnixSeconds() : ModifiedSeconds(r->snapshot);
  const engine::Stats st = inst_.stats();
  for (const engine::DbStats& d : st.dbs) {
    r->keys += d.keys;
  }
  r->seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// The file itself is created by the first write to it: an instance nobody writes to holds no
// file descriptor (a node with 10,000 idle instances would otherwise hold 10,000).
Status InstanceStorage::OpenSegment(uint64_t generation) {
  std::lock_guard lock(log_mu_);
  log_.reset();
  segment_ = generation;
  ForgetSelectedDb();  // each segment starts with its own SELECT
  return Status::Ok();
}

Status InstanceStorage::EnsureSegmentFile() {
  if (log_ != nullptr) {
    return Status::Ok();
  }
  Result<std::shared_ptr<LogFile>> f = LogFile::Open(PathOf("appendonly-", segment_, ".aof"));
  if (!f.ok()) {
    return f.status();
  }
  if (options_.fsync == FsyncPolicy::kEverysec) {
    SyncEverySecond(f.value());
  }
  std::lock_guard lock(log_mu_);
  log_ = f.value();
  return Status::Ok();
}

void InstanceStorage::Commit() {
  if (!options_.append_log) {
    std::string discard;
    TakePending(&discard);  // snapshots only: the records are not needed
    return;
  }
  if (unwritten_.empty()) {
    TakePending(&unwritten_);
  } else {
    std::string more;
    TakePending(&more);
    unwritten_.append(more);
  }
  if (unwritten_.empty() && failure().empty()) {
    return;
  }
  Status s = unwritten_.empty() ? Status::Ok() : EnsureSegmentFile();
  if (s.ok() && !unwritten_.empty()) {
    s = log_->Write(unwritten_);
  }
  if (s.ok() && log_ != nullptr && options_.fsync == FsyncPolicy::kAlways) {
    s = log_->Sync();
  }
  if (!s.ok()) {
    write_errors_.fetch_add(1, std::memory_order_relaxed);
    set_failure("MISCONF Errors writing to the AOF file: " + s.message());
    return;  // kept in unwritten_ and retried at the next commit
  }
  unwritten_.clear();
  if (unwritten_.capacity() > (size_t{1} << 20)) {
    std::string().swap(unwritten_);
  }
  if (!failure().empty()) {
    set_failure("");
  }
}

Status InstanceStorage::Rotate(uint64_t* generation) {
  if (!options_.append_log) {
    *generation = ++generation_;
    return Status::Ok();
  }
  Commit();
  if (!failure().empty()) {
    return Status::Error(failure());
  }
  if (log_ != nullptr) {
    if (Status s = log_->Sync(); !s.ok()) {  // the finished segment is durable before it counts
      return s;
    }
  }
  if (Status s = OpenSegment(generation_ + 1); !s.ok()) {
    return s;
  }
  *generation = ++generation_;
  return Status::Ok();
}

Status InstanceStorage::WriteSnapshotFile(uint64_t generation) const {
  Result<std::unique_ptr<persistence::FileSink>> sink =
      persistence::FileSink::Create(PathOf("dump-", generation, ".rdb"));
  if (!sink.ok()) {
    return sink.status();
  }
  return engine::WriteSnapshot(inst_, sink.value().get(), inst_.clock().NowMs());
}

void InstanceStorage::SnapshotDone(uint64_t generation, uint64_t dirty_at_start) {
  RemoveOlderThan(generation);
  base_bytes_ = FileSize(PathOf("dump-", generation, ".rdb"));
  last_save_s_ = UnixSeconds();
  snapshots_.fetch_add(1, std::memory_order_relaxed);
  last_bgsave_ok_ = true;
  uint64_t& dirty = inst_.counters.dirty;
  dirty = dirty > dirty_at_start ? dirty - dirty_at_start : 0;
}

Status InstanceStorage::Save() {
  if (child_ > 0) {
    return Status::Error("Background save already in progress");
  }
  uint64_t g = 0;
  if (Status s = Rotate(&g); !s.ok()) {
    return s;
  }
  const uint64_t dirty = inst_.counters.dirty;
  Status s = WriteSnapshotFile(g);
  if (!s.ok()) {
    snapshot_failures_.fetch_add(1, std::memory_order_relaxed);
    last_bgsave_ok_ = false;
    return s;
  }
  SnapshotDone(g, dirty);
  return Status::Ok();
}

Status InstanceStorage::BackgroundSave() {
  if (child_ > 0) {
    return Status::Error("Background save already in progress");
  }
  if (g_children.fetch_add(1) >= kMaxChildren) {
    g_children.fetch_sub(1);
    snapshot_wanted_ = true;  // a later tick starts it when another snapshot is done
    return Status::Ok();
  }
  uint64_t g = 0;
  if (Status s = Rotate(&g); !s.ok()) {
    g_children.fetch_sub(1);
    return s;
  }
  pid_t pid = ::fork();
  if (pid == 0) {
    // The child: only this thread exists here. Write the snapshot and leave without running any
    // destructor or atexit handler of the parent's objects.
    Status s = WriteSnapshotFile(g);
    ::_exit(s.ok() ? 0 : 1);
  }
  if (pid < 0) {
    g_children.fetch_sub(1);
    snapshot_failures_.fetch_add(1, std::memory_order_relaxed);
    return Status::Error(std::string("cannot fork: ") + std::strerror(errno));
  }
  child_ = pid;
  child_generation_ = g;
  child_dirty_ = inst_.counters.dirty;
  snapshot_wanted_ = false;
  saving_ = true;
  return Status::Ok();
}

void InstanceStorage::ReapChild(bool wait) {
  if (child_ <= 0) {
    return;
  }
  int status = 0;
  pid_t r = ::waitpid(child_, &status, wait ? 0 : WNOHANG);
  if (r == 0) {
    return;  // still writing
  }
  child_ = -1;
  saving_ = false;
  g_children.fetch_sub(1);
  if (r > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
    SnapshotDone(child_generation_, child_dirty_);
  } else {
    snapshot_failures_.fetch_add(1, std::memory_order_relaxed);
    last_bgsave_ok_ = false;
    next_attempt_ms_ = SteadyMs() + 5000;  // Redis retries a failed BGSAVE after 5 s as well
  }
}

void InstanceStorage::WaitForBackgroundSave() { ReapChild(true); }

void InstanceStorage::RemoveOlderThan(uint64_t generation) {
  Files files = ListFiles(options_.dir);
  std::error_code ec;
  for (const auto& [g, path] : files.dumps) {
    if (g < generation) {
      fs::remove(path, ec);
    }
  }
  for (const auto& [g, path] : files.logs) {
    if (g < generation) {
      fs::remove(path, ec);
    }
  }
}

// Compaction for logged instances; Redis' default save points (3600 1, 300 100, 60 10000) for
// snapshot-only ones.
void InstanceStorage::MaybeSnapshot() {
  if (child_ > 0 || (next_attempt_ms_ != 0 && SteadyMs() < next_attempt_ms_)) {
    return;
  }
  bool due = snapshot_wanted_;
  if (options_.append_log) {
    uint64_t size = log_ != nullptr ? log_->size() : 0;
    uint64_t grown_past = base_bytes_ * static_cast<uint64_t>(options_.rewrite_growth_percent) / 100;
    due |= size >= options_.rewrite_min_bytes && size >= grown_past;
  } else if (const uint64_t dirty = inst_.counters.dirty; dirty > 0) {  // idle: no clock read
    const int64_t age = UnixSeconds() - last_save_s_.load();
    due |= (age >= 3600 && dirty >= 1) || (age >= 300 && dirty >= 100) ||
           (age >= 60 && dirty >= 10000);
  }
  if (due) {
    (void)BackgroundSave();  // failures are counted; the next tick may try again
  }
}

void InstanceStorage::Tick() {
  Commit();
  ReapChild(false);
  MaybeSnapshot();
}

Status InstanceStorage::Close() {
  ReapChild(true);
  // Nothing changed since the files were last complete: a node with thousands of idle instances
  // stops in well under a second instead of writing thousands of identical snapshots.
  Status s = inst_.counters.dirty == 0 ? Status::Ok() : Save();
  Commit();
  if (log_ != nullptr) {
    (void)log_->Sync();  // everysec: the last second's records too
  }
  inst_.set_change_log(nullptr);
  return s;
}

StorageStats InstanceStorage::stats() const {
  StorageStats st;
  {
    std::lock_guard lock(log_mu_);
    if (log_ != nullptr) {
      st.log_bytes = log_->size();
      st.unsynced_bytes = log_->unsynced();
      st.fsync_errors = log_->failed_syncs();
      int64_t last = log_->last_sync_ms();
      st.last_fsync_age_ms = last == 0 ? -1 : SteadyMs() - last;
    }
  }
  st.write_errors = write_errors_.load();
  st.snapshots = snapshots_.load();
  st.snapshot_failures = snapshot_failures_.load();
  st.last_save_s = last_save_s_.load();
  st.saving = saving_.load();
  return st;
}

void InstanceStorage::AppendInfo(std::string* out) const {
  StorageStats st = stats();
  auto line = [out](std::string_view k, const std::string& v) {
    out->append(k).append(":").append(v).append("\r\n");
  };
  line("rdb_bgsave_in_progress", st.saving ? "1" : "0");
  line("rdb_last_save_time", std::to_string(st.last_save_s));
  line("rdb_last_bgsave_status", last_bgsave_ok_ ? "ok" : "err");
  line("aof_enabled", options_.append_log ? "1" : "0");
  line("aof_rewrite_in_progress", st.saving && options_.append_log ? "1" : "0");
  line("aof_last_write_status", failure().empty() ? "ok" : "err");
  if (options_.append_log) {
    line("aof_fsync", options_.fsync == FsyncPolicy::kAlways ? "always" : "everysec");
    line("aof_current_size", std::to_string(st.log_bytes));
    line("aof_base_size", std::to_string(base_bytes_));
    line("aof_pending_bytes", std::to_string(st.unsynced_bytes + unwritten_.size()));
  }
}

}  // namespace mr::storage
