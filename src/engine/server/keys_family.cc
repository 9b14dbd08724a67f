// Generic keyspace commands: DEL EXISTS TYPE EXPIRE* TTL* PERSIST RENAME* KEYS SCAN RANDOMKEY
// TOUCH COPY MOVE OBJECT MEMORY FLUSHDB FLUSHALL.
#include <string>
#include <vector>

#include "engine/core/objects.h"
#include "engine/server/command_context.h"
#include "engine/server/families.h"

namespace mr::engine {

namespace {

using namespace co;

// Lookup that neither counts stats nor updates LRU/LFU (TTL, TYPE, OBJECT ...).
Entry* Peek(CommandContext& c, std::string_view key, Db::Pos* pos) {
  return c.db.Find(key, Db::Hash(key), c.now_ms, pos);
}

void CmdDel(CmdArgs args, CommandContext& c) {
  int64_t n = 0;
  for (size_t i = 1; i < args.size(); ++i) {
    Db::Pos pos;
    if (Peek(c, args[i], &pos) != nullptr) {
      c.db.Delete(pos);
      n++;
    }
  }
  c.w.Integer(n);
}

void CmdExists(CmdArgs args, CommandContext& c) {
  int64_t n = 0;
  for (size_t i = 1; i < args.size(); ++i) {
    Db::Pos pos;
    n += LookupKey(c, args[i], Db::Hash(args[i]), &pos, true) != nullptr ? 1 : 0;
  }
  c.w.Integer(n);
}

void CmdTouch(CmdArgs args, CommandContext& c) {
  int64_t n = 0;
  for (size_t i = 1; i < args.size(); ++i) {
    Db::Pos pos;
    n += LookupKey(c, args[i], Db::Hash(args[i]), &pos, false) != nullptr ? 1 : 0;
  }
  c.w.Integer(n);
}

void CmdType(CmdArgs args, CommandContext& c) {
  Db::Pos pos;
  Entry* e = Peek(c, args[1], &pos);
  c.w.SimpleString(e ? TypeName(e->type()) : "none");
}

// EXPIRE family: unit_ms = 1000 or 1; absolute = *AT variants.
void ExpireGeneric(CmdArgs args, CommandContext& c, int64_t unit_ms, bool absolute) {
  int64_t when;
  if (!ParseInt(args[2], &when)) {
    return ReplyStatus(c, OpStatus::INVALID_INT);
  }
  bool nx = false, xx = false, gt = false, lt = false;
  for (size_t i = 3; i < args.size(); ++i) {
    if (EqualsNoCase(args[i], "nx")) {
      nx = true;
    } else if (EqualsNoCase(args[i], "xx")) {
      xx = true;
    } else if (EqualsNoCase(args[i], "gt")) {
      gt = true;
    } else if (EqualsNoCase(args[i], "lt")) {
      lt = true;
    } else {
      return c.w.Error("ERR Unsupported option " + std::string(args[i]));
    }
  }
  if (nx && (xx || gt || lt)) {
    return c.w.Error("ERR NX and XX, GT or LT options at the same time are not compatible");
  }
  if (gt && lt) {
    return c.w.Error("ERR GT and LT options at the same time are not compatible");
  }
  std::string bad = "ERR invalid expire time in '" + std::string(c.cmd->name) + "' command";
  if (unit_ms == 1000 && (when > INT64_MAX / 1000 || when < INT64_MIN / 1000)) {
    return c.w.Error(bad);
  }
  when *= unit_ms;
  if (!absolute) {
    if ((when > 0 && c.now_ms > INT64_MAX - when) || (when < 0 && c.now_ms < INT64_MIN - when)) {
      return c.w.Error(bad);
    }
    when += c.now_ms;
  }
  Db::Pos pos;
  Entry* e = Peek(c, args[1], &pos);
  if (e == nullptr) {
    return c.w.Integer(0);
  }
  bool has = e->has_expire();
  int64_t cur = has ? e->expire_ms() : 0;
  if ((nx && has) || (xx && !has) || (gt && (!has || when <= cur)) || (lt && has && when >= cur)) {
    return c.w.Integer(0);
  }
  if (when <= c.now_ms) {
    c.db.Delete(pos);
    c.inst.TouchWatched(c.db_index(), args[1]);
    return c.w.Integer(1);
  }
  c.db.SetExpire(pos, when);
  c.w.Integer(1);
}

void CmdExpire(CmdArgs a, CommandContext& c) { ExpireGeneric(a, c, 1000, false); }
void CmdPExpire(CmdArgs a, CommandContext& c) { ExpireGeneric(a, c, 1, false); }
void CmdExpireAt(CmdArgs a, CommandContext& c) { ExpireGeneric(a, c, 1000, true); }
void CmdPExpireAt(CmdArgs a, CommandContext& c) { ExpireGeneric(a, c, 1, true); }

void TtlGeneric(CmdArgs args, CommandContext& c, bool ms, bool absolute) {
  Db::Pos pos;
  Entry* e = LookupKey(c, args[1], Db::Hash(args[1]), &pos, true);
  if (e == nullptr) {
    return c.w.Integer(-2);
  }
  if (!e->has_expire()) {
    return c.w.Integer(-1);
  }
  int64_t at = e->expire_ms();
  if (absolute) {
    return c.w.Integer(ms ? at : at / 1000);
  }
  int64_t ttl = std::max<int64_t>(0, at - c.now_ms);
  c.w.Integer(ms ? ttl : (ttl + 500) / 1000);
}

void CmdTtl(CmdArgs a, CommandContext& c) { TtlGeneric(a, c, false, false); }
void CmdPTtl(CmdArgs a, CommandContext& c) { TtlGeneric(a, c, true, false); }
void CmdExpireTime(CmdArgs a, CommandContext& c) { TtlGeneric(a, c, false, true); }
void CmdPExpireTime(CmdArgs a, CommandContext& c) { TtlGeneric(a, c, true, true); }

void CmdPersist(CmdArgs args, CommandContext& c) {
  Db::Pos pos;
  Entry* e = Peek(c, args[1], &pos);
  if (e == nullptr || !e->has_expire()) {
    return c.w.Integer(0);
  }
  c.db.Persist(pos);
  c.w.Integer(1);
}

// Moves `src` (found at pos in from) to `key` in `to`, replacing what is there. Keeps the TTL.
void MoveEntry(CommandContext& c, Db& from, Db::Pos pos, Db& to, std::string_view key) {
  Entry* e = from.Detach(pos);
  int64_t ttl = e->has_expire() ? e->expire_ms() : -1;
  Entry* n;
  if (e->type() == ObjType::kString) {
    n = CloneEntry(e, key, c.limits());
    FreeEntry(e);
  } else {
    n = Entry::NewObject(key, e->type(), e->enc(), e->obj<void>());
    n->set_lru(e->lru());
    Entry::FreeBlock(e);
  }
  if (ttl >= 0) {
    n = Entry::SetExpire(n, ttl);
  }
  uint64_t h = Db::Hash(key);
  Db::Pos dpos;
  if (to.FindRaw(key, h, &dpos) != nullptr) {
    to.Delete(dpos);
  }
  to.Add(n, h);
}

void RenameGeneric(CmdArgs args, CommandContext& c, bool nx) {
  Db::Pos pos;
  Entry* e = Peek(c, args[1], &pos);
  if (e == nullptr) {
    return c.w.Error("ERR no such key");
  }
  if (args[1] == args[2]) {
    return nx ? c.w.Integer(0) : ReplyOk(c);
  }
  Db::Pos dpos;
  if (nx && Peek(c, args[2], &dpos) != nullptr) {
    return c.w.Integer(0);
  }
  std::string src(args[1]);
  Peek(c, src, &pos);  // the destination lookup may have expired a key and moved slots
  MoveEntry(c, c.db, pos, c.db, args[2]);
  c.inst.TouchWatched(c.db_index(), src);
  c.inst.SignalKeyReady(c.db_index(), args[2]);
  return nx ? c.w.Integer(1) : ReplyOk(c);
}

void CmdRename(CmdArgs a, CommandContext& c) { RenameGeneric(a, c, false); }
void CmdRenameNx(CmdArgs a, CommandContext& c) { RenameGeneric(a, c, true); }

bool ParseDbIndex(CommandContext& c, std::string_view s, int* out) {
  int64_t v;
  if (!ParseInt(s, &v)) {
    ReplyStatus(c, OpStatus::INVALID_INT);
    return false;
  }
  if (v < 0 || v >= Instance::kDatabases) {
    c.w.Error("ERR DB index is out of range");
    return false;
  }
  *out = static_cast<int>(v);
  return true;
}

void CmdMove(CmdArgs args, CommandContext& c) {
  int dst;
  if (!ParseDbIndex(c, args[2], &dst)) {
    return;
  }
  if (dst == c.db_index()) {
    return c.w.Error("ERR source and destination objects are the same");
  }
  Db::Pos pos;
  Entry* e = Peek(c, args[1], &pos);
  Db& to = c.inst.db(dst);
  if (e == nullptr || to.Find(args[1], c.now_ms) != nullptr) {
    return c.w.Integer(0);
  }
  std::string key(args[1]);
  MoveEntry(c, c.db, pos, to, key);
  c.inst.TouchWatched(dst, key);
  c.w.Integer(1);
}

void CmdCopy(CmdArgs args, CommandContext& c) {
  int dst = c.db_index();
  bool replace = false;
  for (size_t i = 3; i < args.size(); ++i) {
    if (EqualsNoCase(args[i], "replace")) {
      replace = true;
    } else if (EqualsNoCase(args[i], "db") && i + 1 < args.size()) {
      if (!ParseDbIndex(c, args[++i], &dst)) {
        return;
      }
    } else {
      return ReplySyntaxError(c);
    }
  }
  if (dst == c.db_index() && args[1] == args[2]) {
    return c.w.Error("ERR source and destination objects are the same");
  }
  Db::Pos pos;
  Entry* e = Peek(c, args[1], &pos);
  if (e == nullptr) {
    return c.w.Integer(0);
  }
  Db& to = c.inst.db(dst);
  uint64_t h = Db::Hash(args[2]);
  Db::Pos dpos;
  if (to.Find(args[2], h, c.now_ms, &dpos) != nullptr) {
    if (!replace) {
      return c.w.Integer(0);
    }
    to.Delete(dpos);
  }
  e = Peek(c, args[1], &pos);
  Entry* n = CloneEntry(e, args[2], c.limits());
  if (e->has_expire()) {
    n = Entry::SetExpire(n, e->expire_ms());
  }
  c.inst.InitAccess(n);
  to.Add(n, h);
  c.inst.TouchWatched(dst, args[2]);
  c.w.Integer(1);
}

void CmdKeys(CmdArgs args, CommandContext& c) {
  std::vector<std::string_view> keys;
  bool all = args[1] == "*";
  c.db.keys().ForEach([&](const Entry* e) {
    if (e->has_expire() && c.now_ms > e->expire_ms()) {
      return;
    }
    if (all || GlobMatch(args[1], e->key())) {
      keys.push_back(e->key());
    }
  });
  c.w.ArrayHeader(keys.size());
  for (std::string_view k : keys) {
    c.w.Bulk(k);
  }
}

bool ParseCursor(std::string_view s, uint64_t* out) {
  if (s.empty() || s.size() > 20) {
    return false;
  }
  uint64_t v = 0;
  for (char ch : s) {
    if (ch < '0' || ch > '9') {
      return false;
    }
    v = v * 10 + static_cast<uint64_t>(ch - '0');
  }
  *out = v;
  return true;
}

void CmdScan(CmdArgs args, CommandContext& c) {
  uint64_t cursor;
  if (!ParseCursor(args[1], &cursor)) {
    return c.w.Error("ERR invalid cursor");
  }
  std::string_view pattern;
  int64_t count = 10;
  std::string_view type;
  for (size_t i = 2; i < args.size(); i += 2) {
    if (i + 1 >= args.size()) {
      return ReplySyntaxError(c);
    }
    if (EqualsNoCase(args[i], "match")) {
      pattern = args[i + 1];
    } else if (EqualsNoCase(args[i], "count")) {
      if (!ParseInt(args[i + 1], &count)) {
        return ReplyStatus(c, OpStatus::INVALID_INT);
      }
      if (count < 1) {
        return ReplySyntaxError(c);
      }
    } else if (EqualsNoCase(args[i], "type")) {
      type = args[i + 1];
    } else {
      return ReplySyntaxError(c);
    }
  }
  std::vector<std::string> keys;
  uint64_t next = c.db.keys().Scan(cursor, static_cast<size_t>(count), [&](const Entry* e) {
    if (e->has_expire() && c.now_ms > e->expire_ms()) {
      return;
    }
    if (!type.empty() && !EqualsNoCase(TypeName(e->type()), type)) {
      return;
    }
    if (!pattern.empty() && pattern != "*" && !GlobMatch(pattern, e->key())) {
      return;
    }
    keys.emplace_back(e->key());
  });
  c.w.ArrayHeader(2);
  ReplyIntBulk(c, static_cast<int64_t>(next));
  c.w.ArrayHeader(keys.size());
  for (const std::string& k : keys) {
    c.w.Bulk(k);
  }
}

void CmdRandomKey(CmdArgs args, CommandContext& c) {
  for (int tries = 0; tries < 100 && c.db.size() > 0; ++tries) {
    Entry* e = c.db.keys().RandomItem(c.inst.NextRandom());
    if (e == nullptr) {
      break;
    }
    if (e->has_expire() && c.now_ms > e->expire_ms()) {
      std::string key(e->key());
      c.db.Find(key, c.now_ms);  // lazily expires it
      continue;
    }
    return c.w.Bulk(e->key());
  }
  c.w.Null();
}

bool ParseFlushMode(CommandContext& c, CmdArgs args) {
  if (args.size() == 1) {
    return true;
  }
  if (args.size() == 2 && (EqualsNoCase(args[1], "async") || EqualsNoCase(args[1], "sync"))) {
    return true;
  }
  ReplySyntaxError(c);
  return false;
}

void CmdFlushDb(CmdArgs args, CommandContext& c) {
  if (ParseFlushMode(c, args)) {
    c.inst.FlushDb(c.db_index());
    ReplyOk(c);
  }
}

void CmdFlushAll(CmdArgs args, CommandContext& c) {
  if (ParseFlushMode(c, args)) {
    c.inst.FlushAll();
    ReplyOk(c);
  }
}

constexpr std::string_view kLfuOff =
    "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that "
    "when switching between policies at runtime LRU and LFU data will take some time to adjust.";
constexpr std::string_view kLfuOn =
    "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when "
    "switching between policies at runtime LRU and LFU data will take some time to adjust.";

void ObjectHelp(CommandContext& c) {
  static constexpr std::string_view kLines[] = {
      "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "ENCODING <key>",
      "    Return the kind of internal representation used in order to store the value",
      "    associated with a <key>.",
      "FREQ <key>",
      "    Return the access frequency index of the <key>. The returned integer is",
      "    proportional to the logarithm of the recent access frequency of the key.",
      "IDLETIME <key>",
      "    Return the idle time of the <key>, that is the approximated number of",
      "    seconds elapsed since the last access to the key.",
      "REFCOUNT <key>",
      "    Return the number of references of the value associated with the specified",
      "    <key>.",
      "HELP",
      "    Print this help."};
  c.w.ArrayHeader(std::size(kLines));
  for (std::string_view l : kLines) {
    c.w.SimpleString(l);
  }
}

void CmdObject(CmdArgs args, CommandContext& c) {
  std::string_view sub = args[1];
  if (EqualsNoCase(sub, "help") && args.size() == 2) {
    return ObjectHelp(c);
  }
  bool known = EqualsNoCase(sub, "encoding") || EqualsNoCase(sub, "freq") ||
               EqualsNoCase(sub, "idletime") || EqualsNoCase(sub, "refcount");
  if (!known) {
    return c.w.Error("ERR unknown subcommand '" + std::string(sub) + "'. Try OBJECT HELP.");
  }
  if (args.size() != 3) {
    std::string lower(sub);
    for (char& ch : lower) {
      ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    }
    return c.w.Error("ERR wrong number of arguments for 'object|" + lower + "' command");
  }
  Db::Pos pos;
  Entry* e = Peek(c, args[2], &pos);
  if (e == nullptr) {
    return c.w.Null();
  }
  bool lfu = c.inst.config().policy == EvictionPolicy::kAllKeysLfu ||
             c.inst.config().policy == EvictionPolicy::kVolatileLfu;
  if (EqualsNoCase(sub, "encoding")) {
    c.w.Bulk(EncodingName(e->enc()));
  } else if (EqualsNoCase(sub, "refcount")) {
    c.w.Integer(1);
  } else if (EqualsNoCase(sub, "freq")) {
    return lfu ? c.w.Integer(c.inst.LfuCounter(e, c.now_ms)) : c.w.Error(kLfuOff);
  } else {
    return lfu ? c.w.Error(kLfuOn) : c.w.Integer(c.inst.IdleMs(e, c.now_ms) / 1000);
  }
}

void CmdMemory(CmdArgs args, CommandContext& c) {
  std::string_view sub = args[1];
  if (EqualsNoCase(sub, "usage") && args.size() >= 3) {
    if (args.size() != 3 && !(args.size() == 5 && EqualsNoCase(args[3], "samples"))) {
      return ReplySyntaxError(c);
    }
    Db::Pos pos;
    Entry* e = Peek(c, args[2], &pos);
    return e ? c.w.Integer(static_cast<int64_t>(EntryMemoryUsage(e))) : c.w.Null();
  }
  if (EqualsNoCase(sub, "help")) {
    c.w.ArrayHeader(2);
    c.w.SimpleString("MEMORY USAGE <key> [SAMPLES <count>]");
    c.w.SimpleString("    Return memory in bytes used by <key> and its value.");
    return;
  }
  c.w.Error("ERR unknown subcommand \'" + std::string(sub) + "\'. Try MEMORY HELP.");
}

}  // namespace

void RegisterKeysFamily(CommandRegistry* r) {
  *r << CommandId{"del", WRITE, -2, 1, -1, 1, CmdDel}
     << CommandId{"unlink", WRITE | FAST, -2, 1, -1, 1, CmdDel}
     << CommandId{"exists", READONLY | FAST, -2, 1, -1, 1, CmdExists}
     << CommandId{"touch", READONLY | FAST, -2, 1, -1, 1, CmdTouch}
     << CommandId{"type", READONLY | FAST, 2, 1, 1, 1, CmdType}
     << CommandId{"expire", WRITE | FAST, -3, 1, 1, 1, CmdExpire}
     << CommandId{"pexpire", WRITE | FAST, -3, 1, 1, 1, CmdPExpire}
     << CommandId{"expireat", WRITE | FAST, -3, 1, 1, 1, CmdExpireAt}
     << CommandId{"pexpireat", WRITE | FAST, -3, 1, 1, 1, CmdPExpireAt}
     << CommandId{"ttl", READONLY | FAST, 2, 1, 1, 1, CmdTtl}
     << CommandId{"pttl", READONLY | FAST, 2, 1, 1, 1, CmdPTtl}
     << CommandId{"expiretime", READONLY | FAST, 2, 1, 1, 1, CmdExpireTime}
     << CommandId{"pexpiretime", READONLY | FAST, 2, 1, 1, 1, CmdPExpireTime}
     << CommandId{"persist", WRITE | FAST, 2, 1, 1, 1, CmdPersist}
     << CommandId{"rename", WRITE, 3, 1, 2, 1, CmdRename}
     << CommandId{"renamenx", WRITE | FAST, 3, 1, 2, 1, CmdRenameNx}
     << CommandId{"move", WRITE | FAST, 3, 1, 1, 1, CmdMove}
     << CommandId{"copy", WRITE | DENYOOM, -3, 1, 2, 1, CmdCopy}
     << CommandId{"keys", READONLY, 2, 0, 0, 0, CmdKeys}
     << CommandId{"scan", READONLY, -2, 0, 0, 0, CmdScan}
     << CommandId{"randomkey", READONLY, 1, 0, 0, 0, CmdRandomKey}
     << CommandId{"flushdb", WRITE, -1, 0, 0, 0, CmdFlushDb}
     << CommandId{"flushall", WRITE, -1, 0, 0, 0, CmdFlushAll}
     << CommandId{"object", READONLY, -2, 2, 2, 1, CmdObject}
     << CommandId{"memory", READONLY, -2, 0, 0, 0, CmdMemory};
}

}  // namespace mr::engine
