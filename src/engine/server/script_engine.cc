// The per-instance Lua interpreter behind EVAL (see script_engine.h).
#include "engine/server/script_engine.h"

#include <malloc.h>

#include <lua.hpp>

#include <cstdlib>
#include <vector>

#include "engine/server/lua_sandbox.h"
#include "engine/server/lua_values.h"
#include "engine/server/sha1.h"

namespace mr::engine {

namespace {

constexpr const char* kScripts = "mr_scripts";      // registry: sha -> compiled function
constexpr const char* kScriptFlags = "mr_flags";    // registry: sha -> script_flag bits
constexpr int kHookEvery = 10000;                   // instructions between clock checks
constexpr int64_t kMaxTimeLimitMs = 60000;          // what a tenant's setting cannot exceed
constexpr const char* kTimedOut = "mr: script timed out";

ScriptEngine* EngineOf(lua_State* L) {
  void* ud = nullptr;
  lua_getallocf(L, &ud);
  return static_cast<ScriptEngine*>(ud);
}

// Raises {err="ERR <msg>"} like Redis' luaPushError + luaError (the handler adds the position).
[[noreturn]] void RaiseError(lua_State* L, std::string_view msg) {
  PushErrorTable(L, msg);
  lua_error(L);
  std::abort();
}

// ---- redis.* ----

int RedisCall(lua_State* L) { return EngineOf(L)->Call(L, true); }
int RedisPcall(lua_State* L) { return EngineOf(L)->Call(L, false); }

int RedisErrorReply(lua_State* L) {
  if (lua_gettop(L) != 1 || lua_type(L, 1) != LUA_TSTRING) {
    PushErrorTable(L, "wrong number or type of arguments");
    return 1;
  }
  size_t n = 0;
  const char* s = lua_tolstring(L, 1, &n);
  std::string err(s, n);
  if (err.empty() || err[0] != '-') {
    err.insert(err.begin(), '-');
  }
  PushErrorTable(L, err);
  return 1;
}

int RedisStatusReply(lua_State* L) {
  if (lua_gettop(L) != 1 || lua_type(L, 1) != LUA_TSTRING) {
    PushErrorTable(L, "wrong number or type of arguments");
    return 1;
  }
  lua_newtable(L);
  lua_pushvalue(L, 1);
  lua_setfield(L, -2, "ok");
  return 1;
}

int RedisSha1Hex(lua_State* L) {
  if (lua_gettop(L) != 1) {
    RaiseError(L, "wrong number of arguments");
  }
  size_t n = 0;
  const char* s = lua_tolstring(L, 1, &n);
  std::string hex = Sha1Hex(s != nullptr ? std::string_view(s, n) : std::string_view());
  lua_pushlstring(L, hex.data(), hex.size());
  return 1;
}

// redis.log(level, message...): validated like Redis; MiniRedis keeps no server log for tenants.
int RedisLog(lua_State* L) {
  if (lua_gettop(L) < 2) {
    RaiseError(L, "redis.log() requires two arguments or more.");
  }
  if (!lua_isnumber(L, 1)) {
    RaiseError(L, "First argument must be a number (log level).");
  }
  lua_Number level = lua_tonumber(L, 1);
  if (level < 0 || level > 3) {
    RaiseError(L, "Invalid debug level.");
  }
  return 0;
}

int RedisSetResp(lua_State* L) {
  if (lua_gettop(L) != 1) {
    RaiseError(L, "redis.setresp() requires one argument.");
  }
  lua_Number v = lua_tonumber(L, 1);
  if (v != 2 && v != 3) {
    RaiseError(L, "RESP version must be 2 or 3.");
  }
  EngineOf(L)->SetResp(v == 3);
  return 0;
}

// redis.set_repl(flags): validated; the effects of a script are always logged whole.
int RedisSetRepl(lua_State* L) {
  if (lua_gettop(L) != 1) {
    RaiseError(L, "redis.set_repl() requires one argument.");
  }
  lua_Number v = lua_tonumber(L, 1);
  if (v < 0 || v > 3 || v != static_cast<int>(v)) {
    RaiseError(L, "Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.");
  }
  return 0;
}

int RedisReplicateCommands(lua_State* L) {  // effects replication is the only mode, as in 7.0
  lua_pushboolean(L, 1);
  return 1;
}

void OpenRedisLib(lua_State* L) {
  static constexpr luaL_Reg kFuncs[] = {
      {"call", RedisCall},
      {"pcall", RedisPcall},
      {"error_reply", RedisErrorReply},
      {"status_reply", RedisStatusReply},
      {"sha1hex", RedisSha1Hex},
      {"log", RedisLog},
      {"setresp", RedisSetResp},
      {"set_repl", RedisSetRepl},
      {"replicate_commands", RedisReplicateCommands},
  };
  lua_newtable(L);
  for (const luaL_Reg& f : kFuncs) {
    lua_pushcfunction(L, f.func);
    lua_setfield(L, -2, f.name);
  }
  static constexpr std::pair<const char*, int> kConstants[] = {
      {"LOG_DEBUG", 0},   {"LOG_VERBOSE", 1}, {"LOG_NOTICE", 2},  {"LOG_WARNING", 3},
      {"REPL_NONE", 0},   {"REPL_AOF", 1},    {"REPL_SLAVE", 2},  {"REPL_REPLICA", 2},
      {"REPL_ALL", 3},    {"REDIS_VERSION_NUM", 0x07000f},
  };
  for (const auto& [name, value] : kConstants) {
    lua_pushnumber(L, value);
    lua_setfield(L, -2, name);
  }
  lua_pushliteral(L, "7.0.15");
  lua_setfield(L, -2, "REDIS_VERSION");
}

// The message handler of every run: turns what was raised into {err=..., source=, line=} like
// Redis' __redis__err__handler, taking the position of the Lua code that raised it.
int ErrorHandler(lua_State* L) {
  if (!lua_istable(L, 1)) {
    std::string msg = "ERR ";
    const char* s = lua_tostring(L, 1);
    msg.append(s != nullptr ? s : (lua_isnil(L, 1) ? "nil" : luaL_typename(L, 1)));
    lua_newtable(L);
    lua_pushlstring(L, msg.data(), msg.size());
    lua_setfield(L, -2, "err");
    lua_replace(L, 1);
  }
  lua_Debug ar;
  bool found = lua_getstack(L, 1, &ar) && lua_getinfo(L, "Sl", &ar);
  if (found && ar.what != nullptr && std::string_view(ar.what) == "C") {
    found = lua_getstack(L, 2, &ar) && lua_getinfo(L, "Sl", &ar);
  }
  if (found) {
    lua_pushliteral(L, "source");
    lua_pushstring(L, ar.source);
    lua_rawset(L, 1);
    lua_pushliteral(L, "line");
    lua_pushnumber(L, ar.currentline);
    lua_rawset(L, 1);
  }
  lua_settop(L, 1);
  return 1;
}

// Scripts Redis refuses: NOSCRIPT commands, and the subcommands it flags noscript.
bool RefusedInScript(const CommandId& cmd, CmdArgs args) {
  if ((cmd.flags & co::NOSCRIPT) != 0) {
    return true;
  }
  if (cmd.name == "script" || cmd.name == "config") {
    return args.size() < 2 || !EqualsNoCase(args[1], "help");
  }
  return false;
}

// Parses "#!lua [flags=a,b]"; false with the Redis error.
bool ParseShebang(std::string_view line, uint32_t* flags, std::string* error) {
  *flags = script_flag::kShebang;
  size_t pos = 0;
  auto next_token = [&]() {
    while (pos < line.size() && line[pos] == ' ') {
      pos++;
    }
    size_t start = pos;
    while (pos < line.size() && line[pos] != ' ') {
      pos++;
    }
    return line.substr(start, pos - start);
  };
  std::string_view engine = next_token();
  if (engine != "#!lua") {
    error->assign("ERR Unexpected engine in script shebang: ").append(engine);
    return false;
  }
  for (std::string_view tok = next_token(); !tok.empty(); tok = next_token()) {
    if (tok.substr(0, 6) != "flags=") {
      error->assign("ERR Unknown lua shebang option: ").append(tok);
      return false;
    }
    std::string_view list = tok.substr(6);
    while (!list.empty()) {
      size_t comma = list.find(',');
      std::string_view f = list.substr(0, comma);
      list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
      if (f == "no-writes") {
        *flags |= script_flag::kNoWrites;
      } else if (f == "allow-oom") {
        *flags |= script_flag::kAllowOom;
      } else if (f == "allow-stale") {
        *flags |= script_flag::kAllowStale;
      } else if (f == "no-cluster") {
        *flags |= script_flag::kNoCluster;
      } else if (f == "allow-cross-slot-keys") {
        *flags |= script_flag::kAllowCrossSlot;
      } else if (!f.empty()) {
        error->assign("ERR Unexpected flag in script shebang: ").append(f);
        return false;
      }
    }
  }
  return true;
}

void PushArray(lua_State* L, CmdArgs items) {
  lua_createtable(L, static_cast<int>(items.size()), 0);
  for (size_t i = 0; i < items.size(); ++i) {
    lua_pushlstring(L, items[i].data(), items[i].size());
    lua_rawseti(L, -2, static_cast<int>(i + 1));
  }
}

}  // namespace

ScriptEngine::ScriptEngine(Instance& inst) : inst_(inst) {
  L_ = lua_newstate(Alloc, this);
  if (L_ == nullptr) {
    std::abort();  // only when malloc itself fails
  }
  BuildSandbox(L_, OpenRedisLib);
  lua_newtable(L_);
  lua_setfield(L_, LUA_REGISTRYINDEX, kScripts);
  lua_newtable(L_);
  lua_setfield(L_, LUA_REGISTRYINDEX, kScriptFlags);
  // Set once: coroutines created by scripts inherit the hook.
  lua_sethook(L_, Hook, LUA_MASKCOUNT, kHookEvery);
}

ScriptEngine::~ScriptEngine() { lua_close(L_); }

void* ScriptEngine::Alloc(void* ud, void* ptr, size_t osize, size_t nsize) {
  auto* self = static_cast<ScriptEngine*>(ud);
  if (nsize == 0) {
    if (ptr != nullptr) {
      self->Charge(-static_cast<int64_t>(malloc_usable_size(ptr)));
      std::free(ptr);
    }
    return nullptr;
  }
  int64_t before = ptr != nullptr ? static_cast<int64_t>(malloc_usable_size(ptr)) : 0;
  if (self->enforce_limit_ && nsize > osize &&
      self->heap_ + static_cast<int64_t>(nsize - osize) > self->inst_.config().script_heap_limit) {
    return nullptr;  // Lua raises "not enough memory"
  }
  void* q = std::realloc(ptr, nsize);
  if (q == nullptr) {
    return nullptr;
  }
  self->Charge(static_cast<int64_t>(malloc_usable_size(q)) - before);
  return q;
}

void ScriptEngine::Charge(int64_t bytes) {
  heap_ += bytes;
  inst_.account()->used += bytes;
}

int64_t ScriptEngine::TimeLimitMs() const {
  int64_t v = inst_.config().busy_reply_threshold_ms;
  return v <= 0 || v > kMaxTimeLimitMs ? kMaxTimeLimitMs : v;
}

void ScriptEngine::Hook(lua_State* L, lua_Debug*) {
  ScriptEngine* self = EngineOf(L);
  RunState* run = self->run_;
  if (run == nullptr) {
    return;
  }
  if (!run->timed_out) {
    if (std::chrono::steady_clock::now() < run->deadline) {
      return;
    }
    run->timed_out = true;
    // From now on every instruction raises: a pcall in the script cannot swallow the stop.
    lua_sethook(L, Hook, LUA_MASKCOUNT, 1);
  }
  lua_pushstring(L, kTimedOut);
  lua_error(L);
}

bool ScriptEngine::Load(std::string_view body, std::string* sha, std::string* error) {
  *sha = Sha1Hex(body);
  if (Exists(*sha)) {
    return true;
  }
  uint32_t flags = 0;
  std::string_view code = body;
  if (body.substr(0, 2) == "#!") {
    size_t eol = body.find('\n');
    if (!ParseShebang(body.substr(0, eol), &flags, error)) {
      return false;
    }
    // Compile from the newline on, so line numbers stay those of the body.
    code = eol == std::string_view::npos ? std::string_view() : body.substr(eol);
  }
  int top = lua_gettop(L_);
  // The cache lives in the capped heap too: compiling is protected, so an over-limit heap only
  // fails this script ("not enough memory") until SCRIPT FLUSH.
  enforce_limit_ = true;
  int status = LoadTextChunk(L_, code, "@user_script");
  enforce_limit_ = false;
  if (status != 0) {
    error->assign("ERR Error compiling script (new function): ");
    const char* msg = lua_tostring(L_, -1);
    error->append(msg != nullptr ? msg : "?");
    lua_settop(L_, top);
    return false;
  }
  lua_getfield(L_, LUA_REGISTRYINDEX, kScripts);
  lua_pushlstring(L_, sha->data(), sha->size());
  lua_pushvalue(L_, -3);
  lua_rawset(L_, -3);
  lua_getfield(L_, LUA_REGISTRYINDEX, kScriptFlags);
  lua_pushlstring(L_, sha->data(), sha->size());
  lua_pushnumber(L_, flags);
  lua_rawset(L_, -3);
  lua_settop(L_, top);
  return true;
}

bool ScriptEngine::Exists(std::string_view sha) {
  lua_getfield(L_, LUA_REGISTRYINDEX, kScripts);
  lua_pushlstring(L_, sha.data(), sha.size());
  lua_rawget(L_, -2);
  bool found = lua_isfunction(L_, -1);
  lua_pop(L_, 2);
  return found;
}

void ScriptEngine::SetResp(bool resp3) {
  if (run_ != nullptr) {
    run_->resp3 = resp3;
  }
}

void ScriptEngine::Run(CommandContext& c, std::string_view sha, CmdArgs keys, CmdArgs argv,
                       bool read_only) {
  const int top = lua_gettop(L_);
  lua_getfield(L_, LUA_REGISTRYINDEX, kScriptFlags);
  lua_pushlstring(L_, sha.data(), sha.size());
  lua_rawget(L_, -2);
  const auto flags = static_cast<uint32_t>(lua_tonumber(L_, -1));
  lua_settop(L_, top);

  // ExecuteCommand already tried to evict for this EVAL: still over means it cannot.
  const bool oom = c.inst.config().maxmemory > 0 && c.inst.OverMaxmemory();
  const bool may_write = !read_only && (flags & script_flag::kNoWrites) == 0;
  if ((flags & script_flag::kShebang) != 0 && may_write &&
      (flags & script_flag::kAllowOom) == 0 && oom) {
    return c.w.Error(ErrorText(OpStatus::OUT_OF_MEMORY));
  }

  ResetProxies(L_);
  PushArray(L_, keys);
  SetGlobal(L_, "KEYS");
  PushArray(L_, argv);
  SetGlobal(L_, "ARGV");

  lua_pushcfunction(L_, ErrorHandler);
  const int handler = lua_gettop(L_);
  lua_getfield(L_, LUA_REGISTRYINDEX, kScripts);
  lua_pushlstring(L_, sha.data(), sha.size());
  lua_rawget(L_, -2);
  lua_remove(L_, -2);

  RunState run{&c, sha, flags, !may_write, oom};
  run.deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(TimeLimitMs());
  const int saved_db = c.session.db;
  // Inside EXEC the transaction is already open; otherwise the script's writes form one.
  ChangeLog* log = c.in_exec || c.inst.loading() ? nullptr : c.inst.change_log();
  if (log != nullptr) {
    log->BeginTransaction();
  }
  run_ = &run;
  enforce_limit_ = true;
  const int status = lua_pcall(L_, 0, 1, handler);
  enforce_limit_ = false;
  run_ = nullptr;
  if (log != nullptr) {
    log->EndTransaction();
  }
  c.session.db = saved_db;  // SELECT inside a script does not leak to the caller (Redis 7)
  if (run.timed_out) {
    lua_sethook(L_, Hook, LUA_MASKCOUNT, kHookEvery);
  }

  if (status == 0) {
    WriteLuaValue(L_, -1, c.w, run.resp3);
  } else if (run.timed_out) {
    c.w.Error("ERR Script killed: it ran longer than busy-reply-threshold (" +
              std::to_string(TimeLimitMs()) +
              " ms); the writes it made before are kept. script: " + std::string(sha));
  } else {
    WriteError(c, status, sha);
  }
  lua_settop(L_, top);
  if (status == LUA_ERRMEM) {
    lua_gc(L_, LUA_GCCOLLECT, 0);
  }
}

void ScriptEngine::WriteError(CommandContext& c, int status, std::string_view sha) {
  if (status == LUA_ERRMEM) {
    c.w.Error("ERR Script exceeded the Lua memory limit of " +
              std::to_string(inst_.config().script_heap_limit) + " bytes");
    return;
  }
  if (!lua_istable(L_, -1)) {
    const char* msg = lua_tostring(L_, -1);
    c.w.Error(std::string("ERR Error running script, ") +
              (msg != nullptr ? msg : "execution failure"));
    return;
  }
  const int err = lua_gettop(L_);
  lua_pushliteral(L_, "err");  // raw reads: no script code runs after the script
  lua_rawget(L_, err);
  std::string reply;
  if (lua_type(L_, -1) == LUA_TSTRING) {
    size_t n = 0;
    const char* s = lua_tolstring(L_, -1, &n);
    reply.assign(s, n);
  } else {
    reply.assign("ERR unknown error");
  }
  lua_pushliteral(L_, "source");
  lua_rawget(L_, err);
  lua_pushliteral(L_, "line");
  lua_rawget(L_, err);
  if (lua_isstring(L_, -2) && lua_isnumber(L_, -1)) {
    reply.append(" script: ");
    reply.append(sha);
    reply.append(", on ");
    reply.append(lua_tostring(L_, -2));
    reply.push_back(':');
    reply.append(std::to_string(static_cast<int64_t>(lua_tonumber(L_, -1))));
    reply.push_back('.');
  }
  lua_settop(L_, err);
  reply.insert(reply.begin(), '-');  // "-" + err, like Redis, even when err starts with '-'
  c.w.Error(reply);
}

int ScriptEngine::Call(lua_State* L, bool raise) {
  auto fail = [&](std::string_view msg) {
    PushErrorTable(L, msg);
    return raise ? lua_error(L) : 1;
  };
  RunState* run = run_;
  if (run == nullptr) {
    return fail("redis.call can only be used while a script runs");
  }
  const int argc = lua_gettop(L);
  if (argc == 0) {
    return fail("Please specify at least one argument for this redis lib call");
  }
  std::vector<std::string> args(static_cast<size_t>(argc));
  for (int i = 1; i <= argc; ++i) {
    if (!LuaArgToString(L, i, &args[static_cast<size_t>(i - 1)])) {
      return fail("Lua redis lib command arguments must be strings or integers");
    }
  }
  const CommandId* cmd = Commands().Find(args[0]);
  if (cmd == nullptr) {
    return fail("Unknown Redis command called from script");
  }
  std::vector<std::string_view> views(args.begin(), args.end());
  if (!cmd->ArityOk(views.size())) {
    return fail("Wrong number of args calling Redis command from script");
  }
  if (RefusedInScript(*cmd, views)) {
    return fail("This Redis command is not allowed from script");
  }
  if (cmd->IsWrite() && run->read_only) {
    return fail("Write commands are not allowed from read-only scripts.");
  }
  // Like Redis: once over maxmemory at start, denyoom commands are refused until the script has
  // written something (a script that started writing is allowed to finish).
  if ((cmd->flags & co::DENYOOM) != 0 && run->oom_at_start && !run->wrote &&
      (run->flags & script_flag::kAllowOom) == 0) {
    std::string oom = "-";
    oom.append(ErrorText(OpStatus::OUT_OF_MEMORY));
    return fail(oom);
  }
  std::string out;
  resp::Writer w(&out, run->resp3 ? resp::Protocol::kResp3 : resp::Protocol::kResp2);
  ExecuteCommand(inst_, run->c->session, *cmd, views, w, /*in_exec=*/true);
  const bool is_error = !out.empty() && (out[0] == '-' || out[0] == '!');
  run->wrote = run->wrote || (cmd->IsWrite() && !is_error);
  size_t pos = 0;
  PushReply(L, out, &pos);
  if (is_error && raise) {
    return lua_error(L);
  }
  return 1;
}

}  // namespace mr::engine
