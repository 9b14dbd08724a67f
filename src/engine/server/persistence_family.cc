// SAVE BGSAVE LASTSAVE: snapshots on demand, answered by the instance's storage (change_log.h).
// An instance created with persistence "none" has no storage, and says so.
#include "engine/server/command_context.h"
#include "engine/server/families.h"

namespace mr::engine {

namespace {

using namespace co;

bool HasStorage(CommandContext& c) {
  if (c.in_exec) {  // a snapshot starts a new log segment, which must not split a transaction
    c.w.Error("ERR Command not allowed inside a transaction");
    return false;
  }
  if (c.inst.change_log() != nullptr) {
    return true;
  }
  c.w.Error("ERR this instance has persistence disabled (persistence: none); nothing to save");
  return false;
}

void CmdSave(CmdArgs, CommandContext& c) {
  if (!HasStorage(c)) {
    return;
  }
  Status s = c.inst.change_log()->Save();
  if (!s.ok()) {
    return c.w.Error("ERR " + s.message());
  }
  ReplyOk(c);
}

void StartBackgroundSave(CommandContext& c, std::string_view started) {
  if (!HasStorage(c)) {
    return;
  }
  Status s = c.inst.change_log()->BackgroundSave();
  if (!s.ok()) {
    return c.w.Error("ERR " + s.message());
  }
  c.w.SimpleString(started);
}

void CmdBgSave(CmdArgs args, CommandContext& c) {
  if (args.size() > 2 || (args.size() == 2 && !EqualsNoCase(args[1], "schedule"))) {
    return ReplySyntaxError(c);
  }
  StartBackgroundSave(c, "Background saving started");
}

// The log is compacted by the next snapshot (it starts a new log file), so a rewrite is one.
void CmdBgRewriteAof(CmdArgs, CommandContext& c) {
  StartBackgroundSave(c, "Background append only file rewriting started");
}

// Without storage (or before its first snapshot) LASTSAVE is the instance's creation time, as
// Redis reports its start time.
void CmdLastSave(CmdArgs, CommandContext& c) {
  const ChangeLog* log = c.inst.change_log();
  c.w.Integer(log != nullptr ? log->last_save_s() : c.inst.counters.created_ms / 1000);
}

}  // namespace

void RegisterPersistenceFamily(CommandRegistry* r) {
  *r << CommandId{"save", ADMIN | NOSCRIPT, 1, 0, 0, 0, CmdSave}
     << CommandId{"bgsave", ADMIN | NOSCRIPT, -1, 0, 0, 0, CmdBgSave}
     << CommandId{"bgrewriteaof", ADMIN | NOSCRIPT, 1, 0, 0, 0, CmdBgRewriteAof}
     << CommandId{"lastsave", FAST | LOADING | STALE, 1, 0, 0, 0, CmdLastSave};
}

}  // namespace mr::engine
