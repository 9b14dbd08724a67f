// The append-only log of one instance: RESP commands (Redis' AOF format) in numbered segment
// files. Writing appends and syncs as the fsync policy says; reading replays what is intact and
// reports the rest, so a file cut by a crash or damaged on disk loses no more than its bad tail.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "common/status.h"

namespace mr::storage {

/// One open segment, appended to by the shard thread and synced by it (`always`) or by the
/// background syncer (`everysec`), which holds a shared_ptr so a rotated file stays open until
/// its last sync ends.
class LogFile {
 public:
  static Result<std::shared_ptr<LogFile>> Open(const std::string& path);
  ~LogFile();
  LogFile(const LogFile&) = delete;
  LogFile& operator=(const LogFile&) = delete;

  /// Appends all of `bytes` (retrying short writes). On failure the file is cut back to its
  /// previous size, so a later retry does not leave half a record in the middle.
  Status Write(std::string_view bytes);
  /// fdatasync when something was written since the last sync.
  Status Sync();

  const std::string& path() const { return path_; }
  uint64_t size() const { return written_.load(std::memory_order_relaxed); }
  uint64_t unsynced() const {
    return written_.load(std::memory_order_relaxed) - synced_.load(std::memory_order_relaxed);
  }
  /// Steady-clock milliseconds of the last completed sync (0: never).
  int64_t last_sync_ms() const { return last_sync_ms_.load(std::memory_order_relaxed); }
  uint64_t failed_syncs() const { return failed_syncs_.load(std::memory_order_relaxed); }

 private:
  LogFile(std::string path, int fd, uint64_t size);

  std::string path_;
  int fd_;
  std::atomic<uint64_t> written_;
  std::atomic<uint64_t> synced_;
  std::atomic<int64_t> last_sync_ms_{0};
  std::atomic<uint64_t> failed_syncs_{0};
};

/// Fsync policy everysec: one process-wide thread syncs every registered file once a second, so
/// a slow disk never stalls a shard. Files are held weakly: a dropped LogFile unregisters itself.
void SyncEverySecond(const std::shared_ptr<LogFile>& file);

/// What reading a log found.
struct LogReadReport {
  uint64_t commands = 0;      // handed to `apply`
  uint64_t rejected = 0;      // `apply` returned false (unknown command, error reply)
  uint64_t valid_bytes = 0;   // the prefix made of whole records
  uint64_t dropped_bytes = 0; // after it: a cut record, an unfinished MULTI, or garbage
  std::string error;          // why reading stopped early; empty when the whole file was read
  std::string first_rejected;  // the first rejected command's name, for the report
};

using LogApply = std::function<bool(std::span<const std::string_view> args)>;

/// Replays a log held in memory. Records between MULTI and EXEC are applied together at EXEC;
/// a file that ends inside a transaction drops it (it never completed live either). Anything that
/// is not a RESP array of bulk strings stops reading.
LogReadReport ReadLog(std::string_view data, const LogApply& apply);

/// Reads a whole file (mapped) and replays it; an unreadable file is reported in `error`.
LogReadReport ReadLogFile(const std::string& path, const LogApply& apply);

/// Steady-clock milliseconds, for sync ages.
int64_t SteadyMs();

}  // namespace mr::storage
