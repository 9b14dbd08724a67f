// WriteSnapshot walks the key tables read-only; loading builds entries through EntryBuilder and
// places them in their database with their TTL and access hints.
#include "engine/server/snapshot.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "engine/server/rdb_entry.h"
#include "persistence/rdb_writer.h"

namespace mr::engine {

namespace {

using persistence::LoadReport;
using persistence::RdbKey;

class SnapshotLoader : public EntryBuilder {
 public:
  // `max_keys` bounds the RESIZEDB hints believed (a key takes at least 3 bytes of the image).
  SnapshotLoader(Instance& inst, int64_t now_ms, uint64_t max_keys)
      : EntryBuilder(inst.config().limits), inst_(inst), now_ms_(now_ms), max_keys_(max_keys) {}

  Status OnDb(uint32_t index) override {
    if (index >= static_cast<uint32_t>(Instance::kDatabases)) {
      return Status::Error("the file selects database " + std::to_string(index) +
                           ": an instance has " + std::to_string(Instance::kDatabases));
    }
    db_ = &inst_.db(static_cast<int>(index));
    return Status::Ok();
  }

  // Our own snapshots list keys in hash order, which a table growing from small handles in
  // quadratic time: size the tables once, as inserting the keys one by one would.
  Status OnResizeDb(uint64_t keys, uint64_t expires) override {
    Db& db = db_ != nullptr ? *db_ : inst_.db(0);
    if (db.size() == 0) {
      db.Reserve(std::min(keys, max_keys_), std::min(expires, max_keys_));
    }
    return Status::Ok();
  }

  // Reports keys dropped because their time had passed as skipped, type "expired".
  void Finish(LoadReport* r) const {
    if (expired_ == 0) {
      return;
    }
    r->keys_loaded -= expired_;
    r->keys_skipped += expired_;
    r->skipped_by_type["expired"] += expired_;
    for (const RdbKey& k : expired_details_) {
      if (r->skipped.size() >= LoadReport::kMaxSkippedDetails) {
        break;
      }
      r->skipped.push_back({k.db, k.name, "expired", "expired before it was loaded"});
    }
  }

 protected:
  bool Wanted(const RdbKey& key) override {
    // Redis' loader drops keys whose expiry is in the past (expiretime < now).
    if (key.expire_ms == persistence::kNoExpiry || key.expire_ms >= now_ms_) {
      return true;
    }
    ++expired_;
    if (expired_details_.size() < LoadReport::kMaxSkippedDetails) {
      expired_details_.push_back(RdbKey{key.db, key.name});
    }
    return false;
  }

  Status OnEntry(const RdbKey& key, Entry* e) override {
    if (db_ == nullptr) {
      db_ = &inst_.db(0);  // keys before any SELECTDB (files from old Redis versions)
    }
    if (key.expire_ms != persistence::kNoExpiry) {
      e = Entry::SetExpire(e, key.expire_ms);
    }
    InitAccessWithHints(inst_, e,
                        key.lru_idle_seconds ? static_cast<int64_t>(*key.lru_idle_seconds) : -1,
                        key.lfu_freq ? static_cast<int64_t>(*key.lfu_freq) : -1);
    const uint64_t h = Db::Hash(e->key());
    Db::Pos pos;
    if (db_->FindRaw(e->key(), h, &pos) != nullptr) {
      db_->Delete(pos);
      if (inst_.has_watchers()) {
        inst_.TouchWatched(static_cast<int>(key.db), e->key());
      }
    }
    db_->Add(e, h);
    return Status::Ok();
  }

 private:
  Instance& inst_;
  int64_t now_ms_;
  uint64_t max_keys_;
  Db* db_ = nullptr;
  uint64_t expired_ = 0;
  std::vector<RdbKey> expired_details_;
};

template <typename Read>
LoadReport Load(Instance& inst, uint64_t image_bytes, Read read) {
  AccountScope scope(inst.account());
  const int64_t now = inst.clock().NowMs();
  inst.set_now_ms(now);
  SnapshotLoader loader(inst, now, image_bytes / 3);
  LoadReport report = read(&loader);
  loader.Finish(&report);
  inst.counters.peak_memory = std::max(inst.counters.peak_memory, inst.used_memory());
  return report;
}

}  // namespace

Status WriteSnapshot(const Instance& inst, persistence::ByteSink* sink, int64_t now_ms,
                     SnapshotStats* stats) {
  persistence::RdbWriterOptions options = RdbOptionsFor(inst.config().limits);
  options.used_mem = static_cast<uint64_t>(std::max<int64_t>(0, inst.used_memory()));
  persistence::RdbWriter writer(sink, options);
  uint64_t keys = 0;
  Status status;
  for (int i = 0; i < Instance::kDatabases && status.ok(); ++i) {
    const Db* db = inst.db_if_exists(i);
    if (db == nullptr || db->size() == 0) {
      continue;
    }
    status = writer.BeginDb(static_cast<uint32_t>(i), db->size(), db->volatile_size());
    // ForEach reads both arrays of a table being resized, each entry once, and moves nothing.
    db->keys().ForEach([&](const Entry* e) {
      if (!status.ok()) {
        return;
      }
      int64_t expire_ms = persistence::kNoExpiry;
      if (e->has_expire()) {
        if (now_ms > e->expire_ms()) {
          return;  // the same test as lazy expiry
        }
        expire_ms = e->expire_ms();
      }
      status = WriteEntry(writer, *e, expire_ms);
      keys++;
    });
  }
  if (status.ok()) {
    status = writer.Finish();
  }
  if (stats != nullptr) {
    stats->keys = keys;
    stats->bytes = writer.bytes_written();
  }
  return status;
}

LoadReport LoadSnapshot(Instance& inst, std::string_view rdb_bytes) {
  return Load(inst, rdb_bytes.size(),
              [&](persistence::RdbVisitor* v) { return persistence::ReadRdb(rdb_bytes, v); });
}

LoadReport LoadSnapshotFile(Instance& inst, const std::string& path) {
  std::error_code ec;
  const uintmax_t size = std::filesystem::file_size(path, ec);  // ReadRdbFile reports errors
  return Load(inst, ec ? 0 : static_cast<uint64_t>(size),
              [&](persistence::RdbVisitor* v) { return persistence::ReadRdbFile(path, v); });
}

}  // namespace mr::engine
