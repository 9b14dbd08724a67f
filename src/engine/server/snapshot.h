// Snapshots of an instance in Redis' RDB format: save every database to a ByteSink (also from a
// forked child), and load an RDB image from Redis or from this engine into an instance.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"
#include "engine/server/instance.h"
#include "persistence/byte_sink.h"
#include "persistence/rdb_reader.h"

namespace mr::engine {

struct SnapshotStats {
  uint64_t keys = 0;
  uint64_t bytes = 0;
};

/// Writes every database of `inst` as an RDB v10 image into `sink`, then sink->Finish() via
/// RdbWriter::Finish. Keys already expired at `now_ms` are skipped. Safe in a child process right
/// after fork() of a multi-threaded parent: no logging, no locks besides malloc, no mutation of
/// the instance (no lazy expiry, no LRU/LFU touch, no rehash step, no memory accounting).
Status WriteSnapshot(const Instance& inst, persistence::ByteSink* sink, int64_t now_ms,
                     SnapshotStats* stats = nullptr);

/// Loads an RDB image into `inst` (normally empty; a key that already exists is replaced). Every
/// byte is charged to the instance's memory account, with the encodings commands would choose.
/// Keys already expired at the instance's clock are not loaded (they are counted in
/// keys_skipped, type "expired"); maxmemory is not enforced while loading, like Redis. Keys are
/// loaded as they are read: when the report is not clean() (corrupt file, wrong checksum) the
/// keys read before the damage stay, and the caller decides (e.g. FlushAll) what to keep.
persistence::LoadReport LoadSnapshot(Instance& inst, std::string_view rdb_bytes);
persistence::LoadReport LoadSnapshotFile(Instance& inst, const std::string& path);

}  // namespace mr::engine
