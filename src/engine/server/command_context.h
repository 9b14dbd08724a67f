// What a command handler sees (instance, session, current db, writer, the command's clock) and the
// shared helpers families use for lookups, argument parsing and error replies.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "engine/core/db.h"
#include "engine/core/op_status.h"
#include "engine/server/command_registry.h"
#include "engine/server/instance.h"
#include "engine/server/session.h"
#include "resp/writer.h"

namespace mr::engine {

struct CommandContext {
  Instance& inst;
  Session& session;
  resp::Writer& w;
  Db& db;
  int64_t now_ms;
  const CommandId* cmd;
  bool in_exec = false;  // inside EXEC: blocking commands must not block
  bool propagated = false;  // the handler recorded its own change-log form (PropagateAs)
  // A write command that turned out to read only (SORT without STORE): no WATCH invalidation,
  // no dirty count, nothing recorded.
  bool wrote_nothing = false;

  const EncodingLimits& limits() const { return inst.config().limits; }
  int db_index() const { return session.db; }
};

/// Runs an already looked-up command with arity checked (used by Dispatch, EXEC, unblocking).
void ExecuteCommand(Instance& inst, Session& s, const CommandId& cmd, CmdArgs args,
                    resp::Writer& w, bool in_exec = false);

// ---- Change log (engine/server/change_log.h) ----
// Records a write that replied without an error, rewritten to replay deterministically.
void RecordWrite(CommandContext& c, CmdArgs args);
// A handler whose effect is not its arguments (SPOP) records what it did instead; may be called
// several times, or not at all when nothing changed.
void PropagateAs(CommandContext& c, CmdArgs args);

// ---- Replies ----
inline void ReplyStatus(CommandContext& c, OpStatus st) { c.w.Error(ErrorText(st)); }
inline void ReplyOk(CommandContext& c) { c.w.SimpleString("OK"); }
void ReplySyntaxError(CommandContext& c);
void ReplyIntBulk(CommandContext& c, int64_t v);  // an integer as a bulk string
void ReplyEntryString(CommandContext& c, const Entry* e);  // string value as bulk

// ---- Parsing ----
bool ParseInt(std::string_view s, int64_t* out);  // Redis string2ll rules
bool ParseDouble(std::string_view s, double* out);  // strtod, rejects NaN and trailing junk
bool ParseLongDouble(std::string_view s, long double* out);
bool EqualsNoCase(std::string_view a, std::string_view b);
std::string FormatLongDouble(long double v);  // INCRBYFLOAT's human format

// ---- Shared argument forms ----
// SINTERCARD/ZINTERCARD: numkeys key [key ...] [LIMIT limit]; replies the Redis error on failure.
bool ParseInterCardArgs(CommandContext& c, CmdArgs args, int64_t* numkeys, int64_t* limit);

// ---- Blocking commands ----
// Parses a BLPOP/BZPOPMIN-style timeout in seconds; replies the Redis error and returns false.
bool ParseTimeout(CommandContext& c, std::string_view s, double* out);
// Registers the session as blocked on keys (the engine retries `args` when one gets data).
void BlockOn(CommandContext& c, CmdArgs args, const std::vector<std::string_view>& keys,
             double timeout_s);

// ---- Lookups ----
// Live entry (lazy expiry applied); counts keyspace hits/misses when `read` and touches LRU/LFU.
Entry* LookupKey(CommandContext& c, std::string_view key, uint64_t h, Db::Pos* pos, bool read);
inline Entry* LookupRead(CommandContext& c, std::string_view key) {
  Db::Pos pos;
  return LookupKey(c, key, Db::Hash(key), &pos, true);
}
// Typed lookup: KEY_NOTFOUND when absent, WRONG_TYPE when another type.
OpResult<Entry*> LookupTyped(CommandContext& c, std::string_view key, ObjType type, Db::Pos* pos,
                             uint64_t h, bool read = true);
// Adds a new key with LRU/LFU initialised.
void AddEntry(CommandContext& c, Entry* e, uint64_t h);
// Finds `key` holding `type`, or creates it with a fresh T; WRONG_TYPE for another type.
template <typename T>
OpResult<Entry*> FindOrCreate(CommandContext& c, std::string_view key, ObjType type, Enc enc) {
  uint64_t h = Db::Hash(key);
  Db::Pos pos;
  Entry* e = LookupKey(c, key, h, &pos, false);
  if (e != nullptr) {
    if (e->type() != type) {
      return OpStatus::WRONG_TYPE;
    }
    return e;
  }
  e = Entry::NewObject(key, type, enc, New<T>());
  AddEntry(c, e, h);
  return e;
}
// Parses SCAN-style "cursor [MATCH p] [COUNT n]" from args[first..]; replies on error.
struct ScanOpts {
  uint64_t cursor = 0;
  std::string_view pattern;
  size_t count = 10;
  bool Matches(std::string_view s) const;
};
bool ParseScanOpts(CommandContext& c, CmdArgs args, size_t first, ScanOpts* o);
void ReplyWrongArgs(CommandContext& c);
// Deletes the key if its object became empty (hash/set/list/zset).
void DeleteIfEmpty(CommandContext& c, std::string_view key, size_t size);

}  // namespace mr::engine
