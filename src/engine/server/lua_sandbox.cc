// Builds the sandboxed globals for scripts (see lua_sandbox.h).
#include "engine/server/lua_sandbox.h"

#include <lua.hpp>

#include <string>

#include "engine/server/lua_libs.h"

namespace mr::engine {

namespace {

// Registry keys.
constexpr const char* kProxies = "mr_proxies";        // proxy -> real table
constexpr const char* kRealGlobals = "mr_real_globals";

// What Redis 7.0 leaves in _G (minus struct, which MiniRedis does not provide).
constexpr std::string_view kAllowedGlobals[] = {
    "_G",       "_VERSION",  "assert",   "bit",      "cjson",    "cmsgpack", "collectgarbage",
    "coroutine", "error",    "gcinfo",   "getmetatable", "ipairs", "load",
    "loadstring", "math",    "next",     "pairs",    "pcall",    "rawequal",
    "rawget",   "rawset",    "redis",    "select",   "setmetatable", "string",
    "table",    "tonumber",  "tostring", "type",     "unpack",   "xpcall",
};

constexpr const char* kProtectedLibs[] = {"string", "table", "math",    "coroutine",
                                          "bit",    "cjson", "cmsgpack", "redis"};

[[noreturn]] void RaiseReadonly(lua_State* L, bool with_position) {
  if (with_position) {
    luaL_error(L, "Attempt to modify a readonly table");
  }
  lua_pushstring(L, "Attempt to modify a readonly table");
  lua_error(L);
  std::abort();
}

int ReadonlyNewIndex(lua_State* L) { RaiseReadonly(L, true); }

int NonexistentGlobal(lua_State* L) {
  const char* name = lua_tostring(L, 2);
  return luaL_error(L, "Script attempted to access nonexistent global variable '%s'",
                    name != nullptr ? name : "?");
}

// Replaces the value at `index` by the real table when it is a proxy.
void Unwrap(lua_State* L, int index) {
  if (!lua_istable(L, index)) {
    return;
  }
  lua_getfield(L, LUA_REGISTRYINDEX, kProxies);
  lua_pushvalue(L, index);
  lua_rawget(L, -2);
  if (lua_istable(L, -1)) {
    lua_replace(L, index);
    lua_pop(L, 1);
  } else {
    lua_pop(L, 2);
  }
}

bool IsProxy(lua_State* L, int index) {
  if (!lua_istable(L, index)) {
    return false;
  }
  lua_getfield(L, LUA_REGISTRYINDEX, kProxies);
  lua_pushvalue(L, index);
  lua_rawget(L, -2);
  bool proxy = !lua_isnil(L, -1);
  lua_pop(L, 2);
  return proxy;
}

// Wrappers around base functions; upvalue 1 is the original.
int CallOriginal(lua_State* L) {
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
  return lua_gettop(L);
}

int NextThroughProxy(lua_State* L) {
  Unwrap(L, 1);
  return CallOriginal(L);
}

int PairsThroughProxy(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_pushvalue(L, lua_upvalueindex(1));  // the wrapped next
  lua_pushvalue(L, 1);                    // the proxy itself: the real table never escapes
  lua_pushnil(L);
  return 3;
}

int RawgetThroughProxy(lua_State* L) {
  Unwrap(L, 1);
  return CallOriginal(L);
}

int RefuseOnProxy(lua_State* L) {  // rawset, setmetatable
  if (IsProxy(L, 1)) {
    RaiseReadonly(L, false);
  }
  return CallOriginal(L);
}

// Refuses bytecode: a crafted binary chunk can break out of the Lua VM.
int LoadStringText(lua_State* L) {
  size_t n = 0;
  const char* s = luaL_checklstring(L, 1, &n);
  const char* name = luaL_optstring(L, 2, s);
  if (LoadTextChunk(L, std::string_view(s, n), name) != 0) {
    lua_pushnil(L);
    lua_insert(L, -2);
    return 2;
  }
  return 1;
}

// load(f [, name]): gathers f's pieces, then compiles them as text.
int LoadPiecesText(lua_State* L) {
  luaL_checktype(L, 1, LUA_TFUNCTION);
  const char* name = luaL_optstring(L, 2, "=(load)");
  std::string code;
  while (true) {
    lua_pushvalue(L, 1);
    lua_call(L, 0, 1);
    if (lua_isnil(L, -1)) {
      lua_pop(L, 1);
      break;
    }
    if (!lua_isstring(L, -1)) {
      return luaL_error(L, "reader function must return a string");
    }
    size_t n = 0;
    const char* piece = lua_tolstring(L, -1, &n);
    if (n == 0) {
      lua_pop(L, 1);
      break;
    }
    code.append(piece, n);
    lua_pop(L, 1);
  }
  if (LoadTextChunk(L, code, name) != 0) {
    lua_pushnil(L);
    lua_insert(L, -2);
    return 2;
  }
  return 1;
}

// pcall as Redis 7.0 has it: an error table ({err=...}, what redis.call raises) comes back as
// its err string, so `local ok, e = pcall(redis.call, ...)` gets "ERR ...".
int PcallErrorsAsStrings(lua_State* L) {
  luaL_checkany(L, 1);
  int status = lua_pcall(L, lua_gettop(L) - 1, LUA_MULTRET, 0);
  if (status != 0) {
    if (lua_istable(L, -1)) {
      lua_pushliteral(L, "err");
      lua_rawget(L, -2);
      if (lua_isstring(L, -1)) {
        lua_replace(L, -2);
      } else {
        lua_pop(L, 1);
      }
    }
    lua_pushboolean(L, 0);
    lua_insert(L, -2);
    return 2;
  }
  lua_pushboolean(L, 1);
  lua_insert(L, 1);
  return lua_gettop(L);
}

void WrapGlobal(lua_State* L, int globals, const char* name, lua_CFunction wrapper) {
  lua_getfield(L, globals, name);
  lua_pushcclosure(L, wrapper, 1);
  lua_setfield(L, globals, name);
}

// Replaces the table on the stack top by a read-only proxy of it.
void PushProxyOf(lua_State* L) {
  int real = lua_gettop(L);
  lua_newtable(L);  // the proxy
  lua_newtable(L);  // its metatable
  lua_pushvalue(L, real);
  lua_setfield(L, -2, "__index");
  lua_pushcfunction(L, ReadonlyNewIndex);
  lua_setfield(L, -2, "__newindex");
  lua_newtable(L);  // what getmetatable() shows: a harmless copy-free stand-in
  lua_setfield(L, -2, "__metatable");
  lua_setmetatable(L, -2);
  lua_getfield(L, LUA_REGISTRYINDEX, kProxies);
  lua_pushvalue(L, -2);
  lua_pushvalue(L, real);
  lua_rawset(L, -3);
  lua_pop(L, 1);
  lua_replace(L, real);
}

void OpenLib(lua_State* L, lua_CFunction open, const char* name) {
  lua_pushcfunction(L, open);
  lua_pushstring(L, name);
  lua_call(L, 1, 0);
}

void RemoveDisallowedGlobals(lua_State* L, int globals) {
  lua_pushnil(L);
  while (lua_next(L, globals) != 0) {
    lua_pop(L, 1);
    bool allowed = false;
    if (lua_type(L, -1) == LUA_TSTRING) {
      size_t n = 0;
      const char* k = lua_tolstring(L, -1, &n);
      for (std::string_view a : kAllowedGlobals) {
        allowed = allowed || a == std::string_view(k, n);
      }
    }
    if (!allowed) {  // assigning nil to an existing field is allowed during traversal
      lua_pushvalue(L, -1);
      lua_pushnil(L);
      lua_rawset(L, globals);
    }
  }
}

}  // namespace

int LoadTextChunk(lua_State* L, std::string_view code, const char* name) {
  if (!code.empty() && code[0] == LUA_SIGNATURE[0]) {
    lua_pushstring(L, "binary chunks are not allowed");
    return LUA_ERRSYNTAX;
  }
  return luaL_loadbuffer(L, code.data(), code.size(), name);
}

void BuildSandbox(lua_State* L, void (*open_redis)(lua_State* L)) {
  OpenLib(L, luaopen_base, "");
  OpenLib(L, luaopen_table, LUA_TABLIBNAME);
  OpenLib(L, luaopen_string, LUA_STRLIBNAME);
  OpenLib(L, luaopen_math, LUA_MATHLIBNAME);
  lua_newtable(L);
  lua_setfield(L, LUA_REGISTRYINDEX, kProxies);

  lua_pushvalue(L, LUA_GLOBALSINDEX);
  int globals = lua_gettop(L);
  OpenBitLib(L);
  lua_setfield(L, globals, "bit");
  OpenCjsonLib(L);
  lua_setfield(L, globals, "cjson");
  OpenCmsgpackLib(L);
  lua_setfield(L, globals, "cmsgpack");
  open_redis(L);
  lua_setfield(L, globals, "redis");
  RemoveDisallowedGlobals(L, globals);

  WrapGlobal(L, globals, "loadstring", LoadStringText);
  WrapGlobal(L, globals, "load", LoadPiecesText);
  WrapGlobal(L, globals, "next", NextThroughProxy);
  lua_pushcfunction(L, PcallErrorsAsStrings);
  lua_setfield(L, globals, "pcall");
  WrapGlobal(L, globals, "rawget", RawgetThroughProxy);
  WrapGlobal(L, globals, "rawset", RefuseOnProxy);
  WrapGlobal(L, globals, "setmetatable", RefuseOnProxy);
  lua_getfield(L, globals, "next");  // pairs iterates with the proxy-aware next
  lua_pushcclosure(L, PairsThroughProxy, 1);
  lua_setfield(L, globals, "pairs");

  for (const char* lib : kProtectedLibs) {
    lua_getfield(L, globals, lib);
    PushProxyOf(L);
    lua_setfield(L, globals, lib);
  }
  // Strings index the (protected) string library, and their metatable is not reachable.
  lua_pushliteral(L, "");
  lua_getmetatable(L, -1);
  lua_getfield(L, globals, "string");
  lua_setfield(L, -2, "__index");
  lua_newtable(L);
  lua_setfield(L, -2, "__metatable");
  lua_pop(L, 2);

  // The real globals: unknown names are an error. Scripts see them through a proxy.
  lua_newtable(L);
  lua_pushcfunction(L, NonexistentGlobal);
  lua_setfield(L, -2, "__index");
  lua_setmetatable(L, globals);
  lua_pushvalue(L, globals);
  lua_setfield(L, LUA_REGISTRYINDEX, kRealGlobals);
  lua_pushvalue(L, globals);
  PushProxyOf(L);
  lua_pushvalue(L, -1);
  lua_setfield(L, globals, "_G");
  lua_replace(L, LUA_GLOBALSINDEX);
  lua_pop(L, 1);
}

void ResetProxies(lua_State* L) {
  lua_getfield(L, LUA_REGISTRYINDEX, kProxies);
  int proxies = lua_gettop(L);
  for (lua_pushnil(L); lua_next(L, proxies) != 0; lua_pop(L, 1)) {
    int proxy = lua_gettop(L) - 1;
    lua_pushnil(L);
    if (lua_next(L, proxy) == 0) {
      continue;
    }
    lua_pop(L, 2);
    lua_newtable(L);  // rare: a raw write happened; clear every raw field
    int keys = lua_gettop(L);
    int n = 0;
    for (lua_pushnil(L); lua_next(L, proxy) != 0; lua_pop(L, 1)) {
      lua_pushvalue(L, -2);
      lua_rawseti(L, keys, ++n);
    }
    for (int i = 1; i <= n; ++i) {
      lua_rawgeti(L, keys, i);
      lua_pushnil(L);
      lua_rawset(L, proxy);
    }
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
}

void SetGlobal(lua_State* L, const char* name) {
  lua_getfield(L, LUA_REGISTRYINDEX, kRealGlobals);
  lua_insert(L, -2);
  lua_setfield(L, -2, name);
  lua_pop(L, 1);
}

}  // namespace mr::engine
