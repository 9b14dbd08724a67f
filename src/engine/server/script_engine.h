// One Lua interpreter per instance (created on the first EVAL or SCRIPT LOAD): the compiled
// script cache, the redis.* API, the time limit and the heap accounting.
//
// - Memory: every Lua allocation is charged to the instance's MemoryAccount (used_memory, hence
//   maxmemory), and while a script runs the heap is capped at InstanceConfig::script_heap_limit.
// - Time: an instruction-count hook checks a monotonic clock; past busy_reply_threshold_ms the
//   script is stopped with an error, even after it wrote (its writes stay, and are logged): the
//   shard thread serves other tenants and must not wait for one tenant's loop.
// - Effects: redis.call runs commands through ExecuteCommand like EXEC does, and the run is one
//   change-log transaction, so the AOF and replicas get the script's writes as MULTI/EXEC.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "engine/server/command_context.h"

struct lua_State;
struct lua_Debug;

namespace mr::engine {

/// Flags from a "#!lua flags=..." first line (Redis 7 script flags).
namespace script_flag {
enum : uint32_t {
  kShebang = 1u << 0,  // has a shebang: flags are explicit, OOM is checked at start
  kNoWrites = 1u << 1,
  kAllowOom = 1u << 2,
  kAllowStale = 1u << 3,
  kNoCluster = 1u << 4,
  kAllowCrossSlot = 1u << 5,
};
}  // namespace script_flag

class ScriptEngine {
 public:
  explicit ScriptEngine(Instance& inst);
  ~ScriptEngine();
  ScriptEngine(const ScriptEngine&) = delete;
  ScriptEngine& operator=(const ScriptEngine&) = delete;

  /// Compiles and caches `body` unless its SHA1 is cached. On failure `*error` is the reply.
  bool Load(std::string_view body, std::string* sha, std::string* error);
  bool Exists(std::string_view sha);
  /// Runs the cached script `sha` (lowercase hex) and writes its reply to c.w.
  /// `read_only`: EVAL_RO / EVALSHA_RO.
  void Run(CommandContext& c, std::string_view sha, CmdArgs keys, CmdArgs argv, bool read_only);

  int64_t heap_bytes() const { return heap_; }

  // ---- Called from the redis.* Lua functions ----
  int Call(lua_State* L, bool raise);  // redis.call / redis.pcall
  void SetResp(bool resp3);
  bool running() const { return run_ != nullptr; }

 private:
  struct RunState {
    CommandContext* c;
    std::string_view sha;
    uint32_t flags;
    bool read_only;
    bool oom_at_start;
    bool resp3 = false;
    bool wrote = false;
    bool timed_out = false;
    std::chrono::steady_clock::time_point deadline;
  };

  static void* Alloc(void* ud, void* ptr, size_t osize, size_t nsize);
  static void Hook(lua_State* L, lua_Debug* ar);
  void Charge(int64_t bytes);
  void WriteError(CommandContext& c, int status, std::string_view sha);
  int64_t TimeLimitMs() const;

  Instance& inst_;
  lua_State* L_ = nullptr;
  int64_t heap_ = 0;
  bool enforce_limit_ = false;  // only inside lua_pcall: outside, a refused allocation would panic
  RunState* run_ = nullptr;
};

}  // namespace mr::engine
