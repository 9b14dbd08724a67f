// Recording writes for the change log: RESP encoding, and the rewrites that make a record replay
// to the same result later (Redis' propagation rules: feedAppendOnlyFile / rewriteClientCommand).
#include "engine/server/change_log.h"

#include <array>
#include <vector>

#include "engine/server/command_context.h"

namespace mr::engine {

namespace {

void AppendHeader(std::string* out, char kind, size_t n) {
  char buf[24];
  out->push_back(kind);
  out->append(buf, FormatInt64(static_cast<int64_t>(n), buf));
  out->append("\r\n");
}

// A command with a few rewritten arguments, built without copying the unchanged ones.
class Rewrite {
 public:
  void Add(std::string_view s) { args_.push_back(s); }
  void AddInt(int64_t v) {
    char buf[24];
    numbers_[used_].assign(buf, FormatInt64(v, buf));
    args_.push_back(numbers_[used_++]);
  }
  CmdArgs args() const { return args_; }

 private:
  std::vector<std::string_view> args_;
  std::array<std::string, 2> numbers_;  // at most two rewritten numbers per command
  size_t used_ = 0;
};

bool KeyExists(CommandContext& c, std::string_view key) {
  Db::Pos pos;
  return c.db.FindRaw(key, Db::Hash(key), &pos) != nullptr;
}

// EXPIRE PEXPIRE EXPIREAT PEXPIREAT: one absolute PEXPIREAT, or DEL when the key is gone (a time
// in the past deletes at once, and replay must not keep the key alive until its next access).
void RecordExpire(CommandContext& c, CmdArgs args, int64_t unit_ms, bool relative) {
  ChangeLog* log = c.inst.change_log();
  if (!KeyExists(c, args[1])) {
    std::string_view del[] = {"del", args[1]};
    return log->Append(c.db_index(), del);
  }
  int64_t v = 0;
  ParseInt(args[2], &v);  // the command succeeded, so it parses and does not overflow
  Rewrite r;
  r.Add("pexpireat");
  r.Add(args[1]);
  r.AddInt(v * unit_ms + (relative ? c.now_ms : 0));
  for (size_t i = 3; i < args.size(); ++i) {
    r.Add(args[i]);
  }
  log->Append(c.db_index(), r.args());
}

// SET with EX/PX/EXAT becomes SET ... PXAT; SETEX/PSETEX become SET key value PXAT.
void RecordSet(CommandContext& c, CmdArgs args) {
  Rewrite r;
  for (size_t i = 0; i < args.size(); ++i) {
    int64_t unit = 0;
    if (i >= 3 && i + 1 < args.size()) {
      unit = EqualsNoCase(args[i], "ex") ? 1000 : EqualsNoCase(args[i], "px") ? 1 : 0;
      unit = EqualsNoCase(args[i], "exat") ? -1000 : unit;  // negative: absolute seconds
    }
    if (unit == 0) {
      r.Add(args[i]);
      continue;
    }
    int64_t v = 0;
    ParseInt(args[++i], &v);
    r.Add("pxat");
    r.AddInt(unit < 0 ? v * 1000 : c.now_ms + v * unit);
  }
  c.inst.change_log()->Append(c.db_index(), r.args());
}

void RecordSetEx(CommandContext& c, CmdArgs args, int64_t unit_ms) {
  int64_t v = 0;
  ParseInt(args[2], &v);
  Rewrite r;
  r.Add("set");
  r.Add(args[1]);
  r.Add(args[3]);
  r.Add("pxat");
  r.AddInt(c.now_ms + v * unit_ms);
  c.inst.change_log()->Append(c.db_index(), r.args());
}

// GETEX changes only the TTL: PEXPIREAT, PERSIST, or nothing at all without options.
void RecordGetEx(CommandContext& c, CmdArgs args) {
  if (args.size() < 3) {
    return;
  }
  ChangeLog* log = c.inst.change_log();
  if (!KeyExists(c, args[1])) {
    std::string_view del[] = {"del", args[1]};
    return log->Append(c.db_index(), del);
  }
  if (EqualsNoCase(args[2], "persist")) {
    std::string_view persist[] = {"persist", args[1]};
    return log->Append(c.db_index(), persist);
  }
  int64_t v = 0;
  ParseInt(args[3], &v);
  int64_t abs = EqualsNoCase(args[2], "ex")     ? c.now_ms + v * 1000
                : EqualsNoCase(args[2], "px")   ? c.now_ms + v
                : EqualsNoCase(args[2], "exat") ? v * 1000
                                                : v;
  Rewrite r;
  r.Add("pexpireat");
  r.Add(args[1]);
  r.AddInt(abs);
  log->Append(c.db_index(), r.args());
}

// RESTORE key ttl payload ...: a relative TTL becomes absolute (ABSTTL).
void RecordRestore(CommandContext& c, CmdArgs args) {
  bool abs = false;
  for (size_t i = 4; i < args.size(); ++i) {
    abs |= EqualsNoCase(args[i], "absttl");
  }
  int64_t ttl = 0;
  ParseInt(args[2], &ttl);
  if (abs || ttl == 0) {
    return c.inst.change_log()->Append(c.db_index(), args);
  }
  Rewrite r;
  r.Add(args[0]);
  r.Add(args[1]);
  r.AddInt(c.now_ms + ttl);
  for (size_t i = 3; i < args.size(); ++i) {
    r.Add(args[i]);
  }
  r.Add("absttl");
  c.inst.change_log()->Append(c.db_index(), r.args());
}

// BLPOP k1..kn timeout -> LMPOP n k1..kn LEFT: replay finds the same first non-empty key.
void RecordMultiKeyPop(CommandContext& c, CmdArgs args, std::string_view cmd,
                       std::string_view where) {
  Rewrite r;
  r.Add(cmd);
  r.AddInt(static_cast<int64_t>(args.size() - 2));
  for (size_t i = 1; i + 1 < args.size(); ++i) {
    r.Add(args[i]);
  }
  r.Add(where);
  c.inst.change_log()->Append(c.db_index(), r.args());
}

// BLMPOP/BZMPOP timeout numkeys ... -> LMPOP/ZMPOP numkeys ...; BLMOVE/BRPOPLPUSH drop the timeout.
void RecordWithoutTimeout(CommandContext& c, CmdArgs args, std::string_view cmd, bool first) {
  Rewrite r;
  r.Add(cmd);
  for (size_t i = first ? 2 : 1; i < (first ? args.size() : args.size() - 1); ++i) {
    r.Add(args[i]);
  }
  c.inst.change_log()->Append(c.db_index(), r.args());
}

}  // namespace

void ChangeLog::AppendArray(CmdArgs args) {
  AppendHeader(&pending_, '*', args.size());
  for (std::string_view a : args) {
    AppendHeader(&pending_, '$', a.size());
    pending_.append(a);
    pending_.append("\r\n");
  }
}

void ChangeLog::Append(int db, CmdArgs args) {
  if (!recording_) {
    return;
  }
  if (multi_wanted_ && !multi_written_) {
    std::string_view multi[] = {"multi"};
    multi_written_ = true;
    Append(db, multi);
  }
  if (db != db_) {
    char buf[24];
    std::string_view select[] = {"select", std::string_view(buf, FormatInt64(db, buf))};
    AppendArray(select);
    db_ = db;
  }
  AppendArray(args);
}

void ChangeLog::EndTransaction() {
  if (multi_written_) {
    std::string_view exec[] = {"exec"};
    AppendArray(exec);
  }
  multi_wanted_ = multi_written_ = false;
}

void RecordWrite(CommandContext& c, CmdArgs args) {
  std::string_view name = c.cmd->name;
  ChangeLog* log = c.inst.change_log();
  switch (name.size()) {
    case 3:
      if (name == "set") {
        return RecordSet(c, args);
      }
      break;
    case 5:
      if (name == "setex") {
        return RecordSetEx(c, args, 1000);
      }
      if (name == "getex") {
        return RecordGetEx(c, args);
      }
      if (name == "blpop") {
        return RecordMultiKeyPop(c, args, "lmpop", "left");
      }
      if (name == "brpop") {
        return RecordMultiKeyPop(c, args, "lmpop", "right");
      }
      break;
    case 6:
      if (name == "expire") {
        return RecordExpire(c, args, 1000, true);
      }
      if (name == "psetex") {
        return RecordSetEx(c, args, 1);
      }
      if (name == "blmove") {
        return RecordWithoutTimeout(c, args, "lmove", false);
      }
      if (name == "blmpop") {
        return RecordWithoutTimeout(c, args, "lmpop", true);
      }
      if (name == "bzmpop") {
        return RecordWithoutTimeout(c, args, "zmpop", true);
      }
      break;
    case 7:
      if (name == "pexpire") {
        return RecordExpire(c, args, 1, true);
      }
      if (name == "restore") {
        return RecordRestore(c, args);
      }
      break;
    case 8:
      if (name == "expireat") {
        return RecordExpire(c, args, 1000, false);
      }
      if (name == "bzpopmin") {
        return RecordMultiKeyPop(c, args, "zmpop", "min");
      }
      if (name == "bzpopmax") {
        return RecordMultiKeyPop(c, args, "zmpop", "max");
      }
      break;
    case 9:
      if (name == "pexpireat") {
        return RecordExpire(c, args, 1, false);
      }
      break;
    case 10:
      if (name == "brpoplpush") {
        return RecordWithoutTimeout(c, args, "rpoplpush", false);
      }
      break;
    default:
      break;
  }
  log->Append(c.db_index(), args);
}

void PropagateAs(CommandContext& c, CmdArgs args) {
  c.propagated = true;
  if (ChangeLog* log = c.inst.change_log(); log != nullptr && !c.inst.loading()) {
    log->Append(c.db_index(), args);
  }
}

}  // namespace mr::engine
