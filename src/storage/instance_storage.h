// Persistence of one instance under its own folder: a Redis RDB snapshot plus the append-only log
// written since, as numbered generations. `dump-G.rdb` holds everything recorded in the logs
// numbered below G; restore loads the newest snapshot and replays `appendonly-M.aof` for M >= G.
// A snapshot starts a new log segment, is written by a forked child (the shard only pays for the
// fork), and once it is complete the older files are deleted: that is the log's compaction.
// Every step leaves a restorable set of files behind, whatever moment a crash picks.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/status.h"
#include "engine/server/change_log.h"
#include "storage/append_log.h"

namespace mr::engine {
class Instance;
}

namespace mr::storage {

enum class FsyncPolicy : uint8_t { kEverysec, kAlways };

struct StorageOptions {
  std::string dir;          // created if missing
  bool append_log = true;   // false: snapshots only (persistence "snapshot")
  FsyncPolicy fsync = FsyncPolicy::kEverysec;
  // Compaction: a snapshot starts once the log has grown past both of these.
  uint64_t rewrite_min_bytes = uint64_t{64} << 20;
  int rewrite_growth_percent = 100;  // of the last snapshot's size
  // false: the instance already holds the truth (persistence switched on for a live instance):
  // nothing is loaded, and a snapshot of the instance replaces whatever the folder held.
  bool restore = true;
};

/// Deletes the snapshots and logs in `dir` (persistence switched off); other files stay.
void RemovePersistenceFiles(const std::string& dir);

/// What restore found, for the operator and the instance's owner.
struct RestoreReport {
  std::string snapshot;  // file loaded; empty when there was none
  uint64_t snapshot_keys = 0;
  uint64_t log_files = 0;
  uint64_t log_commands = 0;
  uint64_t rejected_commands = 0;
  uint64_t dropped_bytes = 0;
  uint64_t keys = 0;  // in the instance once restored
  std::vector<std::string> problems;  // one line per damaged file: what was dropped and why
  double seconds = 0;
  bool clean() const { return problems.empty(); }
};

/// Thread-safe figures for metrics and the stats API.
struct StorageStats {
  uint64_t log_bytes = 0;
  uint64_t unsynced_bytes = 0;     // written but not yet fsynced (everysec)
  int64_t last_fsync_age_ms = -1;  // -1: no sync yet
  uint64_t write_errors = 0;
  uint64_t fsync_errors = 0;
  uint64_t snapshots = 0;
  uint64_t snapshot_failures = 0;
  int64_t last_save_s = 0;
  bool saving = false;
};

class InstanceStorage final : public engine::ChangeLog {
 public:
  /// On the instance's shard thread, before the instance is served: restores what `dir` holds
  /// into `inst` (which should be empty), starts a new log segment and attaches itself as the
  /// instance's change log. Damaged files are renamed "*.damaged-<time>" after loading what they
  /// held intact, and a fresh snapshot replaces them. Errors only when the folder is unusable.
  static Result<std::unique_ptr<InstanceStorage>> Open(engine::Instance& inst,
                                                       StorageOptions options,
                                                       RestoreReport* report);
  /// Detaches from the instance without a snapshot (what Close does first).
  ~InstanceStorage() override;
  InstanceStorage(const InstanceStorage&) = delete;
  InstanceStorage& operator=(const InstanceStorage&) = delete;

  /// Graceful stop, on the shard thread: waits for a background save, writes a final snapshot
  /// (unless nothing changed since the files were complete), syncs the log and detaches. The
  /// instance may be dropped afterwards.
  Status Close();

  // engine::ChangeLog
  void Commit() override;
  bool sync_before_reply() const override { return options_.fsync == FsyncPolicy::kAlways; }
  void Tick() override;
  Status Save() override;
  Status BackgroundSave() override;
  int64_t last_save_s() const override { return last_save_s_.load(); }
  void AppendInfo(std::string* out) const override;

  StorageStats stats() const;
  const StorageOptions& options() const { return options_; }
  /// Waits for a running background save (tests, shutdown).
  void WaitForBackgroundSave();

 private:
  InstanceStorage(engine::Instance& inst, StorageOptions options);
  void Restore(RestoreReport* report);
  Status OpenSegment(uint64_t generation);
  Status EnsureSegmentFile();
  // Starts generation G: the current segment is finished and a new one opened.
  Status Rotate(uint64_t* generation);
  Status WriteSnapshotFile(uint64_t generation) const;
  void SnapshotDone(uint64_t generation, uint64_t dirty_at_start);
  void ReapChild(bool wait);
  void RemoveOlderThan(uint64_t generation);
  void MaybeSnapshot();
  std::string PathOf(const char* prefix, uint64_t generation, const char* ext) const;

  engine::Instance& inst_;
  StorageOptions options_;
  mutable std::mutex log_mu_;  // guards the log_ pointer (rotated here, read by stats())
  std::shared_ptr<LogFile> log_;
  std::string unwritten_;  // taken from the engine, not yet written (retried after an error)
  uint64_t generation_ = 0;
  uint64_t segment_ = 0;  // generation of the log segment being written
  uint64_t base_bytes_ = 0;  // size of the newest snapshot
  pid_t child_ = -1;
  uint64_t child_generation_ = 0;
  uint64_t child_dirty_ = 0;
  bool snapshot_wanted_ = false;
  int64_t next_attempt_ms_ = 0;  // back-off after a failed snapshot
  std::atomic<int64_t> last_save_s_{0};
  std::atomic<uint64_t> write_errors_{0};
  std::atomic<uint64_t> snapshots_{0};
  std::atomic<uint64_t> snapshot_failures_{0};
  std::atomic<bool> saving_{false};
  bool last_bgsave_ok_ = true;
};

}  // namespace mr::storage
