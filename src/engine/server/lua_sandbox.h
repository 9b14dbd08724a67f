// The Lua environment scripts run in, as close to Redis 7.0's as an unpatched Lua 5.1 allows:
// only the base, table, string, math and coroutine libraries plus bit/cjson/cmsgpack/redis; no
// os, io, debug, package/require, dofile/loadfile/print; binary chunks refused; globals and library
// tables read-only ("Attempt to modify a readonly table") and reading an unknown global is an
// error ("Script attempted to access nonexistent global variable").
//
// Redis patches Lua to add read-only tables; here a protected table is an empty proxy whose
// metatable forwards reads to the real table and refuses writes, and next/pairs/rawget/rawset/
// setmetatable see through (or refuse) proxies so scripts observe the same behaviour.
#pragma once

#include <string_view>

struct lua_State;

namespace mr::engine {

/// Opens the allowed libraries in a fresh state, adds the library table `open_redis` leaves on
/// the stack as `redis`, then makes the globals read-only.
void BuildSandbox(lua_State* L, void (*open_redis)(lua_State* L));

/// Compiles `code` as a text chunk (never bytecode) named `name`; lua_load's status, with the
/// function or the error message on the stack.
int LoadTextChunk(lua_State* L, std::string_view code, const char* name);

/// Before each run: drops anything a previous script forced into a proxy (table.insert on a
/// library table writes raw fields), so nothing leaks from one script to the next.
void ResetProxies(lua_State* L);
/// Sets a real global behind the read-only proxy (KEYS, ARGV).
void SetGlobal(lua_State* L, const char* name);  // value on the stack top, popped

}  // namespace mr::engine
