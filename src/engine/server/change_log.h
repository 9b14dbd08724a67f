// The engine's side of persistence: every change to an instance, recorded as the RESP command
// that reproduces it (Redis' AOF format), and the hooks its owner implements to make the record
// durable, snapshot the instance and report on both.
//
// What gets recorded is deterministic on replay: relative TTLs become absolute (PEXPIREAT,
// SET ... PXAT), blocking pops become their non-blocking forms, SPOP becomes SREM of what it
// popped, and keys removed by expiry or eviction are recorded as DEL when they go. Replay runs
// with expiry and eviction off (see Replay), so a record applies exactly as it did live.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"
#include "engine/server/command_registry.h"

namespace mr::engine {

class ChangeLog {
 public:
  virtual ~ChangeLog() = default;

  // ---- Recording (the engine, on the instance's shard thread) ----
  /// Appends one command run against database `db`, preceded by SELECT when `db` changed.
  void Append(int db, CmdArgs args);
  /// EXEC brackets its commands so replay applies all of them or none (a log cut inside a
  /// transaction drops the transaction). MULTI is written only if a command inside gets recorded.
  void BeginTransaction() { multi_wanted_ = true; }
  void EndTransaction();
  bool has_pending() const { return !pending_.empty(); }
  /// False for an owner that keeps snapshots only: nothing is encoded at all.
  bool recording() const { return recording_; }
  /// Non-empty while records cannot be written (disk full...): write commands get this error
  /// instead of running, like Redis' MISCONF, so nothing is acknowledged that is not logged.
  const std::string& failure() const { return failure_; }
  size_t pending_bytes() const { return pending_.size(); }

  // ---- The owner (the instance's storage) ----
  /// Makes what was recorded since the last call durable as the policy says. Called on the shard
  /// thread at commit points: after each batch of commands and on every tick.
  virtual void Commit() = 0;
  /// True when replies must not leave before Commit (fsync policy `always`): the network layer
  /// holds them until the commit of their batch.
  virtual bool sync_before_reply() const { return false; }
  /// Shard tick (~100 ms): periodic snapshots, finishing background saves.
  virtual void Tick() {}
  /// SAVE: a snapshot written now, on the shard thread.
  virtual Status Save() = 0;
  /// BGSAVE: a snapshot written by a child process; the error says why one cannot start.
  virtual Status BackgroundSave() = 0;
  /// LASTSAVE: Unix seconds of the last successful snapshot (or of start-up).
  virtual int64_t last_save_s() const = 0;
  /// INFO's persistence section fields ("name:value\r\n" lines).
  virtual void AppendInfo(std::string* out) const = 0;

 protected:
  /// Moves the recorded bytes out (to be written by Commit).
  void TakePending(std::string* out) {
    out->swap(pending_);
    pending_.clear();
  }
  /// The next record starts with SELECT (a new log file begins).
  void ForgetSelectedDb() { db_ = -1; }
  void set_failure(std::string error) { failure_ = std::move(error); }
  void set_recording(bool v) { recording_ = v; }

 private:
  void AppendArray(CmdArgs args);

  std::string pending_;
  std::string failure_;
  int db_ = -1;
  bool recording_ = true;
  bool multi_wanted_ = false;
  bool multi_written_ = false;
};

}  // namespace mr::engine
