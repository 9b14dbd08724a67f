// Dispatch: lookup, arity, MULTI queueing, maxmemory enforcement, WATCH invalidation and serving
// blocked sessions; plus the helpers every family shares.
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "engine/server/command_context.h"
#include "engine/server/engine.h"

namespace mr::engine {

namespace {

void ReplyUnknownCommand(resp::Writer& w, CmdArgs args) {
  std::string msg = "ERR unknown command '";
  msg.append(args[0].substr(0, 128));
  msg.append("', with args beginning with: ");
  size_t start = msg.size();
  for (size_t i = 1; i < args.size() && msg.size() - start < 128; ++i) {
    msg.push_back('\'');
    msg.append(args[i].substr(0, 128 - (msg.size() - start)));
    msg.append("' ");
  }
  for (char& ch : msg) {
    if (ch == '\r' || ch == '\n') {
      ch = ' ';
    }
  }
  w.Error(msg);
}

void ReplyArity(resp::Writer& w, std::string_view name) {
  std::string msg = "ERR wrong number of arguments for '";
  msg.append(name);
  msg.append("' command");
  w.Error(msg);
}

// Off the fast path: only commands over the instance's max_ops_per_sec get here.
void ReplyQuotaExceeded(resp::Writer& w, const Instance& inst) {
  w.Error("ERR rate limit exceeded: instance '" + inst.config().id + "' allows " +
          std::to_string(inst.config().max_ops_per_sec) + " commands per second");
}

bool AllowedWhileSubscribed(const CommandId& cmd) {
  static constexpr std::string_view kAllowed[] = {"subscribe", "unsubscribe", "psubscribe",
                                                  "punsubscribe", "ping", "quit", "reset"};
  for (std::string_view n : kAllowed) {
    if (cmd.name == n) {
      return true;
    }
  }
  return false;
}

void ServeBlocked(Instance& inst) {
  for (int rounds = 0; inst.has_ready_keys() && rounds < 1000; ++rounds) {
    for (auto& [db, key] : inst.TakeReadyKeys()) {
      for (Session* s : inst.WaitersOf(db, key)) {
        std::vector<std::string> args = s->blocked_args;
        int64_t deadline = s->blocked_deadline_ms;
        inst.Unblock(s);
        const CommandId* cmd = Commands().Find(args[0]);
        std::vector<std::string_view> views(args.begin(), args.end());
        std::string out;
        resp::Writer w(&out, s->protocol);
        int saved_db = s->db;
        s->db = db;
        s->resume_deadline_ms = deadline;
        ExecuteCommand(inst, *s, *cmd, views, w);
        s->resume_deadline_ms = -1;
        s->db = saved_db;
        if (!s->blocked && s->sink != nullptr) {
          s->sink->Deliver(out);
          s->sink->Wake(*s);
        }
      }
    }
  }
}

void ExpireBlocked(Instance& inst, int64_t now) {
  for (Session* s : inst.BlockedSessions()) {
    if (s->blocked_deadline_ms == 0 || s->blocked_deadline_ms > now) {
      continue;
    }
    bool single = EqualsNoCase(s->blocked_args[0], "blmove") ||
                  EqualsNoCase(s->blocked_args[0], "brpoplpush");
    inst.Unblock(s);
    std::string out;
    resp::Writer w(&out, s->protocol);
    if (single) {
      w.Null();
    } else {
      w.NullArray();
    }
    if (s->sink != nullptr) {
      s->sink->Deliver(out);
      s->sink->Wake(*s);
    }
  }
}

}  // namespace

void ExecuteCommand(Instance& inst, Session& s, const CommandId& cmd, CmdArgs args,
                    resp::Writer& w, bool in_exec) {
  const int64_t start_us = inst.clock().NowUs();
  const int64_t now = start_us / 1000;
  inst.set_now_ms(now);
  const bool loading = inst.loading();
  if (!loading && inst.config().maxmemory > 0 && inst.OverMaxmemory()) {
    bool ok = inst.FreeMemoryIfNeeded();
    if (!ok && (cmd.flags & co::DENYOOM) != 0) {
      w.Error(ErrorText(OpStatus::OUT_OF_MEMORY));
      return;
    }
  }
  if (ChangeLog* log = inst.change_log();
      log != nullptr && cmd.IsWrite() && !log->failure().empty() && !loading) {
    w.Error(log->failure());
    return;
  }
  const size_t reply_mark = w.buffer()->size();
  // Replaying a change log, time stands still at 0: nothing expires lazily, because every
  // expiry that happened live was recorded as a DEL at the moment it happened.
  CommandContext ctx{inst, s, w, inst.db(s.db), loading ? 0 : now, &cmd, in_exec};
  cmd.handler(args, ctx);
  const CommandLogConfig& log_cfg = inst.config().command_log;
  const int64_t duration_us = inst.clock().NowUs() - start_us;
  if (!loading) {  // live latency only: a restore's replay is not what clients wait for
    inst.latency().Record(start_us, duration_us);
  }
  if (log_cfg.slower_than_us >= 0 || log_cfg.latency_threshold_ms > 0) {
    inst.command_log().Observe(log_cfg, args, s.addr, s.name, start_us, duration_us);
  }
  inst.counters.total_commands++;
  if (cmd.IsWrite() && !ctx.wrote_nothing) {
    inst.counters.dirty++;
    if (inst.has_watchers()) {
      cmd.ForEachKey(args.size(), [&](size_t i) { inst.TouchWatched(s.db, args[i]); });
    }
    // Recorded when it replied without an error; a blocked command replies (and records) later.
    const std::string& out = *w.buffer();
    ChangeLog* log = inst.change_log();
    if (log != nullptr && log->recording() && !loading && !ctx.propagated &&
        out.size() > reply_mark &&
        out[reply_mark] != '-' && out[reply_mark] != '!') {
      RecordWrite(ctx, args);
    }
  }
  if (inst.account()->used > inst.counters.peak_memory) {
    inst.counters.peak_memory = inst.account()->used;
  }
}

void Dispatch(Instance& inst, Session& s, std::span<const std::string_view> args,
              resp::Writer& w) {
  if (args.empty()) {
    return;
  }
  AccountScope scope(inst.account());
  const CommandId* cmd = Commands().Find(args[0]);
  if (cmd == nullptr) {
    ReplyUnknownCommand(w, args);
    s.multi_error |= s.in_multi;
    return;
  }
  if (!cmd->ArityOk(args.size())) {
    ReplyArity(w, cmd->name);
    s.multi_error |= s.in_multi;
    return;
  }
  if (!inst.AdmitCommand()) {
    ReplyQuotaExceeded(w, inst);
    s.multi_error |= s.in_multi;
    return;
  }
  if (s.in_multi && (cmd->flags & co::MULTI_CTRL) == 0) {
    s.queued.emplace_back(args.begin(), args.end());
    w.SimpleString("QUEUED");
    return;
  }
  if (s.subscriptions() > 0 && s.protocol == resp::Protocol::kResp2 &&
      !AllowedWhileSubscribed(*cmd)) {
    std::string msg = "ERR Can't execute '";
    msg.append(cmd->name);
    msg.append("': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in "
               "this context");
    w.Error(msg);
    return;
  }
  ExecuteCommand(inst, s, *cmd, args, w);
  if (inst.has_ready_keys()) {
    ServeBlocked(inst);
  }
}

bool Replay(Instance& inst, Session& s, CmdArgs args, std::string* scratch) {
  if (args.empty()) {
    return false;
  }
  const CommandId* cmd = Commands().Find(args[0]);
  // A log holds plain writes and SELECT only; anything that would block, subscribe or needs a
  // connection cannot come from us and must not run against a session that is not served.
  constexpr uint32_t kNotReplayable = co::BLOCKING | co::PUBSUB | co::CONNECTION | co::MULTI_CTRL;
  if (cmd == nullptr || !cmd->ArityOk(args.size()) || (cmd->flags & kNotReplayable) != 0) {
    return false;
  }
  AccountScope scope(inst.account());
  scratch->clear();
  resp::Writer w(scratch, s.protocol);
  ExecuteCommand(inst, s, *cmd, args, w);
  return scratch->empty() || ((*scratch)[0] != '-' && (*scratch)[0] != '!');
}

void RunActiveExpiry(Instance& inst, std::chrono::microseconds budget) {
  AccountScope scope(inst.account());
  int64_t start = Clock::RealNowUs();
  int64_t now = inst.clock().NowMs();
  inst.set_now_ms(now);
  constexpr size_t kKeysPerLoop = 20;
  for (int i = 0; i < Instance::kDatabases; ++i) {
    Db* db = inst.db_if_exists(i);
    if (db == nullptr) {
      continue;
    }
    while (db->keys().rehashing() && Clock::RealNowUs() - start < budget.count() / 2) {
      db->RehashStep(1000);
    }
    for (int iter = 0; db->volatile_size() > 0; ++iter) {
      size_t expired = db->ExpireSample(now, kKeysPerLoop, inst.rng_state());
      if (expired * 10 <= kKeysPerLoop) {  // <= 10% stale: move on, like Redis 7
        break;
      }
      if ((iter & 15) == 15 && Clock::RealNowUs() - start > budget.count()) {
        return;
      }
    }
    if (Clock::RealNowUs() - start > budget.count()) {
      break;
    }
  }
  ExpireBlocked(inst, now);
  if (inst.OverMaxmemory()) {
    inst.FreeMemoryIfNeeded();
  }
}

void OpenSession(Instance& inst, Session& s) {
  inst.counters.total_connections++;
  inst.counters.connected_clients++;
}

void CloseSession(Instance& inst, Session& s) {
  AccountScope scope(inst.account());
  inst.UnwatchAll(&s);
  if (s.blocked) {
    inst.Unblock(&s);
  }
  for (const std::string& ch : s.channels) {
    inst.Unsubscribe(&s, ch, false);
  }
  for (const std::string& p : s.patterns) {
    inst.Unsubscribe(&s, p, true);
  }
  s.channels.clear();
  s.patterns.clear();
  if (inst.counters.connected_clients > 0) {
    inst.counters.connected_clients--;
  }
}

// ---- Shared helpers ----------------------------------------------------------------------------

void ReplySyntaxError(CommandContext& c) { c.w.Error(ErrorText(OpStatus::SYNTAX_ERROR)); }

void ReplyIntBulk(CommandContext& c, int64_t v) {
  char buf[24];
  c.w.Bulk(std::string_view(buf, FormatInt64(v, buf)));
}

void ReplyEntryString(CommandContext& c, const Entry* e) {
  if (e->is_int()) {
    ReplyIntBulk(c, e->int_value());
  } else {
    c.w.Bulk(e->str());
  }
}

bool ParseInt(std::string_view s, int64_t* out) { return ParseInt64(s, out); }

bool ParseDouble(std::string_view s, double* out) {
  int64_t iv;
  if (s.size() <= 15 && ParseInt64(s, &iv)) {  // exact in a double: skip strtod
    *out = static_cast<double>(iv);
    return true;
  }
  char buf[256];
  if (s.empty() || s.size() >= sizeof(buf) || std::isspace(static_cast<unsigned char>(s[0]))) {
    return false;
  }
  std::memcpy(buf, s.data(), s.size());
  buf[s.size()] = '\0';
  char* end;
  errno = 0;
  double v = std::strtod(buf, &end);
  if (end != buf + s.size() || (errno == ERANGE && (v == HUGE_VAL || v == -HUGE_VAL || v == 0)) ||
      std::isnan(v)) {
    return false;
  }
  *out = v;
  return true;
}

bool ParseLongDouble(std::string_view s, long double* out) {
  char buf[256];
  if (s.empty() || s.size() >= sizeof(buf) || std::isspace(static_cast<unsigned char>(s[0]))) {
    return false;
  }
  std::memcpy(buf, s.data(), s.size());
  buf[s.size()] = '\0';
  char* end;
  errno = 0;
  long double v = std::strtold(buf, &end);
  if (end != buf + s.size() || errno == ERANGE || std::isnan(v)) {
    return false;
  }
  *out = v;
  return true;
}

std::string FormatLongDouble(long double v) {
  if (std::isinf(v)) {
    return v > 0 ? "inf" : "-inf";
  }
  char buf[5600];
  int len = std::snprintf(buf, sizeof(buf), "%.17Lf", v);
  if (std::strchr(buf, '.') != nullptr) {
    while (len > 0 && buf[len - 1] == '0') {
      len--;
    }
    if (len > 0 && buf[len - 1] == '.') {
      len--;
    }
  }
  if (len == 2 && buf[0] == '-' && buf[1] == '0') {
    return "0";
  }
  return std::string(buf, static_cast<size_t>(len));
}

bool EqualsNoCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    char y = b[i];
    if (x >= 'A' && x <= 'Z') {
      x = static_cast<char>(x + 32);
    }
    if (y >= 'A' && y <= 'Z') {
      y = static_cast<char>(y + 32);
    }
    if (x != y) {
      return false;
    }
  }
  return true;
}

Entry* LookupKey(CommandContext& c, std::string_view key, uint64_t h, Db::Pos* pos, bool read) {
  Entry* e = c.db.Find(key, h, c.now_ms, pos);
  if (read) {
    if (e != nullptr) {
      c.inst.counters.keyspace_hits++;
    } else {
      c.inst.counters.keyspace_misses++;
    }
  }
  if (e != nullptr) {
    c.inst.Touch(e);
  }
  return e;
}

OpResult<Entry*> LookupTyped(CommandContext& c, std::string_view key, ObjType type, Db::Pos* pos,
                             uint64_t h, bool read) {
  Entry* e = LookupKey(c, key, h, pos, read);
  if (e == nullptr) {
    return OpStatus::KEY_NOTFOUND;
  }
  if (e->type() != type) {
    return OpStatus::WRONG_TYPE;
  }
  return e;
}

bool ScanOpts::Matches(std::string_view s) const {
  return pattern.empty() || pattern == "*" || GlobMatch(pattern, s);
}

bool ParseScanOpts(CommandContext& c, CmdArgs args, size_t first, ScanOpts* o) {
  std::string_view cur = args[first];
  uint64_t v = 0;
  bool ok = !cur.empty() && cur.size() <= 20;
  for (char ch : cur) {
    ok = ok && ch >= '0' && ch <= '9';
    v = v * 10 + static_cast<uint64_t>(ch - '0');
  }
  if (!ok) {
    c.w.Error("ERR invalid cursor");
    return false;
  }
  o->cursor = v;
  for (size_t i = first + 1; i < args.size(); i += 2) {
    if (i + 1 >= args.size()) {
      ReplySyntaxError(c);
      return false;
    }
    if (EqualsNoCase(args[i], "match")) {
      o->pattern = args[i + 1];
    } else if (EqualsNoCase(args[i], "count")) {
      int64_t n;
      if (!ParseInt(args[i + 1], &n)) {
        ReplyStatus(c, OpStatus::INVALID_INT);
        return false;
      }
      if (n < 1) {
        ReplySyntaxError(c);
        return false;
      }
      o->count = static_cast<size_t>(n);
    } else {
      ReplySyntaxError(c);
      return false;
    }
  }
  return true;
}

void ReplyWrongArgs(CommandContext& c) {
  c.w.Error("ERR wrong number of arguments for '" + std::string(c.cmd->name) + "' command");
}

bool ParseInterCardArgs(CommandContext& c, CmdArgs args, int64_t* numkeys, int64_t* limit) {
  if (!ParseInt(args[1], numkeys)) {
    ReplyStatus(c, OpStatus::INVALID_INT);
    return false;
  }
  if (*numkeys <= 0) {
    c.w.Error("ERR numkeys should be greater than 0");
    return false;
  }
  if (static_cast<size_t>(*numkeys) > args.size() - 2) {
    c.w.Error("ERR Number of keys can't be greater than number of args");
    return false;
  }
  *limit = 0;
  for (size_t i = 2 + static_cast<size_t>(*numkeys); i < args.size(); i += 2) {
    if (!EqualsNoCase(args[i], "limit") || i + 1 >= args.size()) {
      ReplySyntaxError(c);
      return false;
    }
    if (!ParseInt(args[i + 1], limit)) {
      ReplyStatus(c, OpStatus::INVALID_INT);
      return false;
    }
    if (*limit < 0) {
      c.w.Error("ERR LIMIT can't be negative");
      return false;
    }
  }
  return true;
}

bool ParseTimeout(CommandContext& c, std::string_view s, double* out) {
  if (!ParseDouble(s, out) || std::isinf(*out)) {
    c.w.Error("ERR timeout is not a float or out of range");
    return false;
  }
  if (*out < 0) {
    c.w.Error("ERR timeout is negative");
    return false;
  }
  return true;
}

// Registers the session as blocked on keys (the engine retries `args` when one gets data).
void BlockOn(CommandContext& c, CmdArgs args, const std::vector<std::string_view>& keys,
             double timeout_s) {
  Session& s = c.session;
  int64_t deadline = s.resume_deadline_ms >= 0 ? s.resume_deadline_ms
                     : timeout_s == 0         ? 0
                                              : c.now_ms + static_cast<int64_t>(timeout_s * 1000);
  c.inst.Block(&s, c.db_index(), keys);
  s.blocked_args.assign(args.begin(), args.end());
  s.blocked_deadline_ms = deadline;
}

void AddEntry(CommandContext& c, Entry* e, uint64_t h) {
  c.inst.InitAccess(e);
  c.db.Add(e, h);
  // Like Redis' dbAdd: a new list or sorted set may serve clients blocked on that key (BLPOP,
  // BZPOPMIN, ...), whichever command created it. Costs one map probe when nobody is blocked.
  if (e->type() == ObjType::kList || e->type() == ObjType::kZSet) {
    c.inst.SignalKeyReady(c.db_index(), e->key());
  }
}

void DeleteIfEmpty(CommandContext& c, std::string_view key, size_t size) {
  if (size != 0) {
    return;
  }
  Db::Pos pos;
  if (c.db.FindRaw(key, Db::Hash(key), &pos) != nullptr) {
    c.db.Delete(pos);
  }
}

}  // namespace mr::engine
