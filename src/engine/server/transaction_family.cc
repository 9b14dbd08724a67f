// MULTI EXEC DISCARD WATCH UNWATCH. WATCH registers (db, key) in the instance; any write to a
// watched key (or its expiry/eviction, FLUSH*, SWAPDB) marks the watching sessions dirty.
#include <string>
#include <vector>

#include "engine/server/command_context.h"
#include "engine/server/families.h"

namespace mr::engine {

namespace {

using namespace co;

void CmdMulti(CmdArgs, CommandContext& c) {
  if (c.session.in_multi) {
    return c.w.Error("ERR MULTI calls can not be nested");
  }
  c.session.in_multi = true;
  c.session.multi_error = false;
  c.session.queued.clear();
  ReplyOk(c);
}

void EndMulti(CommandContext& c) {
  c.session.in_multi = false;
  c.session.multi_error = false;
  c.session.queued.clear();
  c.inst.UnwatchAll(&c.session);
}

void CmdExec(CmdArgs, CommandContext& c) {
  Session& s = c.session;
  if (!s.in_multi) {
    return c.w.Error("ERR EXEC without MULTI");
  }
  if (s.multi_error) {
    EndMulti(c);
    return c.w.Error("EXECABORT Transaction discarded because of previous errors.");
  }
  for (const auto& [db, key] : s.watched) {  // a watched key that logically expired counts too
    Db::Pos pos;
    Db& d = c.inst.db(db);
    Entry* e = d.FindRaw(key, Db::Hash(key), &pos);
    if (e != nullptr && e->has_expire() && c.now_ms > e->expire_ms()) {
      s.watch_dirty = true;
    }
  }
  if (s.watch_dirty) {
    EndMulti(c);
    return c.w.NullArray();
  }
  std::vector<std::vector<std::string>> queued;
  queued.swap(s.queued);
  s.in_multi = false;
  c.inst.UnwatchAll(&s);
  c.w.ArrayHeader(queued.size());
  ChangeLog* log = c.inst.loading() ? nullptr : c.inst.change_log();
  if (log != nullptr) {
    log->BeginTransaction();
  }
  for (const std::vector<std::string>& cmd_args : queued) {
    std::vector<std::string_view> views(cmd_args.begin(), cmd_args.end());
    const CommandId* cmd = Commands().Find(views[0]);
    ExecuteCommand(c.inst, s, *cmd, views, c.w, true);
  }
  if (log != nullptr) {
    log->EndTransaction();
  }
}

void CmdDiscard(CmdArgs, CommandContext& c) {
  if (!c.session.in_multi) {
    return c.w.Error("ERR DISCARD without MULTI");
  }
  EndMulti(c);
  ReplyOk(c);
}

void CmdWatch(CmdArgs args, CommandContext& c) {
  if (c.session.in_multi) {
    return c.w.Error("ERR WATCH inside MULTI is not allowed");
  }
  for (size_t i = 1; i < args.size(); ++i) {
    c.inst.Watch(&c.session, c.db_index(), args[i]);
  }
  ReplyOk(c);
}

void CmdUnwatch(CmdArgs, CommandContext& c) {
  c.inst.UnwatchAll(&c.session);
  ReplyOk(c);
}

}  // namespace

void RegisterTransactionFamily(CommandRegistry* r) {
  *r << CommandId{"multi", FAST | NOSCRIPT | LOADING | STALE | MULTI_CTRL, 1, 0, 0, 0, CmdMulti}
     << CommandId{"exec", NOSCRIPT | LOADING | STALE | MULTI_CTRL, 1, 0, 0, 0, CmdExec}
     << CommandId{"discard", FAST | NOSCRIPT | LOADING | STALE | MULTI_CTRL, 1, 0, 0, 0,
                  CmdDiscard}
     << CommandId{"watch", FAST | NOSCRIPT | LOADING | STALE | MULTI_CTRL, -2, 1, -1, 1, CmdWatch}
     << CommandId{"unwatch", FAST | NOSCRIPT | LOADING | STALE, 1, 0, 0, 0, CmdUnwatch};
}

}  // namespace mr::engine
