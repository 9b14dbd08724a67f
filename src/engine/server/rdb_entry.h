// Keyspace entries to and from RDB values: what snapshots (save, load) and DUMP / RESTORE share.
// Writing only reads entries; building allocates through the current AccountScope, like commands.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "engine/core/entry.h"
#include "engine/core/hash_type.h"
#include "engine/server/instance.h"
#include "persistence/rdb_reader.h"
#include "persistence/rdb_writer.h"

namespace mr::engine {

/// Writer options whose encoding thresholds are the instance's, so a value keeps its encoding.
persistence::RdbWriterOptions RdbOptionsFor(const EncodingLimits& limits);

/// Writes `e` under its key with `expire_ms` (absolute, or persistence::kNoExpiry). Touches
/// nothing but the entry's bytes: no LRU update, no engine allocation (safe after fork()).
Status WriteEntry(persistence::RdbWriter& w, const Entry& e, int64_t expire_ms);

/// Builds one entry per RDB value with the encodings the equivalent commands (SET, RPUSH, SADD,
/// ZADD, HSET) would choose, and hands it to OnEntry, which takes ownership. No TTL or LRU data
/// is set here: the caller applies the key's expiry and access hints.
class EntryBuilder : public persistence::RdbVisitor {
 public:
  explicit EntryBuilder(const EncodingLimits& limits) : limits_(limits) {}

  Status OnString(persistence::RdbKey key, std::string value) override;
  Status OnList(persistence::RdbKey key, std::vector<std::string> elements) override;
  Status OnSet(persistence::RdbKey key, std::vector<std::string> members) override;
  Status OnZSet(persistence::RdbKey key, persistence::RdbZSetEntries entries) override;
  Status OnHash(persistence::RdbKey key, persistence::RdbHashFields fields) override;

 protected:
  /// Builds entries under `name` instead of the RDB key's (a DUMP payload carries no key name).
  void set_name(std::string_view name) { name_ = name; }
  /// Keys the caller does not want (e.g. already expired) are dropped before any allocation.
  virtual bool Wanted(const persistence::RdbKey& key) { return true; }
  virtual Status OnEntry(const persistence::RdbKey& key, Entry* e) = 0;

 private:
  std::string_view Name(const persistence::RdbKey& key) const {
    return name_ ? *name_ : std::string_view(key.name);
  }

  EncodingLimits limits_;
  std::optional<std::string_view> name_;
};

/// Initialises `e`'s LRU/LFU field as a new key's, then applies a saved idle time (seconds, LRU
/// policies) or LFU counter (LFU policies) when given (>= 0), like Redis' objectSetLRUOrLFU.
void InitAccessWithHints(Instance& inst, Entry* e, int64_t idle_seconds, int64_t lfu_freq);

}  // namespace mr::engine
