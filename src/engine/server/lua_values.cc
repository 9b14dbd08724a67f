// RESP <-> Lua conversions for EVAL (see lua_values.h for the rules).
#include "engine/server/lua_values.h"

#include <lua.hpp>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <algorithm>
#include <limits>

namespace mr::engine {

namespace {

// Deeper replies or results than this are cut with an error element, as Redis does when the Lua
// stack runs out (a self-referencing table would otherwise recurse forever).
constexpr int kMaxDepth = 1000;

int64_t ParseLen(std::string_view in, size_t* pos) {
  size_t eol = in.find("\r\n", *pos);
  int64_t v = std::strtoll(std::string(in.substr(*pos + 1, eol - *pos - 1)).c_str(), nullptr, 10);
  *pos = eol + 2;
  return v;
}

std::string_view ParseLine(std::string_view in, size_t* pos) {
  size_t eol = in.find("\r\n", *pos);
  std::string_view line = in.substr(*pos + 1, eol - *pos - 1);
  *pos = eol + 2;
  return line;
}

std::string_view ParseBulk(std::string_view in, size_t* pos) {
  int64_t n = ParseLen(in, pos);
  std::string_view s = in.substr(*pos, static_cast<size_t>(n));
  *pos += static_cast<size_t>(n) + 2;
  return s;
}

// Sets t[field] = value on the table just below the value on the stack.
void SetField(lua_State* L, const char* field) { lua_setfield(L, -2, field); }

void PushWrapped(lua_State* L, const char* field) {  // {field = <top>}
  lua_newtable(L);
  lua_insert(L, -2);
  SetField(L, field);
}

void PushReplyAt(lua_State* L, std::string_view in, size_t* pos, int depth);

void PushAggregate(lua_State* L, std::string_view in, size_t* pos, int depth, char type) {
  int64_t n = ParseLen(in, pos);
  if (n < 0) {  // *-1: a null array is false, like a null bulk
    lua_pushboolean(L, 0);
    return;
  }
  luaL_checkstack(L, 4, "reply too deep");
  lua_newtable(L);
  if (type == '*') {
    for (int64_t i = 0; i < n; ++i) {
      PushReplyAt(L, in, pos, depth + 1);
      lua_rawseti(L, -2, static_cast<int>(i + 1));
    }
    return;
  }
  for (int64_t i = 0; i < n; ++i) {
    PushReplyAt(L, in, pos, depth + 1);
    if (type == '%') {
      PushReplyAt(L, in, pos, depth + 1);
    } else {  // a set member maps to true
      lua_pushboolean(L, 1);
    }
    lua_rawset(L, -3);
  }
  PushWrapped(L, type == '%' ? "map" : "set");
}

void PushReplyAt(lua_State* L, std::string_view in, size_t* pos, int depth) {
  char t = in[*pos];
  switch (t) {
    case ':':
      lua_pushnumber(L, static_cast<lua_Number>(ParseLen(in, pos)));
      return;
    case '$': {
      if (in.compare(*pos, 4, "$-1\r") == 0) {
        ParseLine(in, pos);
        lua_pushboolean(L, 0);
        return;
      }
      std::string_view s = ParseBulk(in, pos);
      lua_pushlstring(L, s.data(), s.size());
      return;
    }
    case '+': {
      std::string_view s = ParseLine(in, pos);
      lua_newtable(L);
      lua_pushlstring(L, s.data(), s.size());
      SetField(L, "ok");
      return;
    }
    case '-':
    case '!': {
      std::string_view s = t == '-' ? ParseLine(in, pos) : ParseBulk(in, pos);
      std::string err = "-";
      err.append(s);
      PushErrorTable(L, err);
      return;
    }
    case '_':
      ParseLine(in, pos);
      lua_pushnil(L);
      return;
    case '#':
      lua_pushboolean(L, ParseLine(in, pos) == "t");
      return;
    case ',': {
      std::string line(ParseLine(in, pos));
      lua_pushnumber(L, std::strtod(line.c_str(), nullptr));
      PushWrapped(L, "double");
      return;
    }
    case '(': {
      std::string_view s = ParseLine(in, pos);
      lua_pushlstring(L, s.data(), s.size());
      PushWrapped(L, "big_number");
      return;
    }
    case '=': {
      std::string_view s = ParseBulk(in, pos);
      lua_newtable(L);
      lua_pushlstring(L, s.data(), std::min<size_t>(3, s.size()));
      SetField(L, "format");
      std::string_view body = s.size() > 4 ? s.substr(4) : std::string_view();
      lua_pushlstring(L, body.data(), body.size());
      SetField(L, "string");
      PushWrapped(L, "verbatim_string");
      return;
    }
    default:  // * % ~ >
      PushAggregate(L, in, pos, depth, t == '>' ? '*' : t);
      return;
  }
}

// Raw reads only: a metamethod would run script code after the script ended, unprotected and
// without the time limit.
void RawField(lua_State* L, int table, const char* field) {
  lua_pushstring(L, field);
  lua_rawget(L, table);
}

bool StringField(lua_State* L, int table, const char* field) {  // pushes it when a string
  RawField(L, table, field);
  if (lua_type(L, -1) == LUA_TSTRING) {
    return true;
  }
  lua_pop(L, 1);
  return false;
}

bool TypedField(lua_State* L, int table, const char* field, int type) {
  RawField(L, table, field);
  if (lua_type(L, -1) == type) {
    return true;
  }
  lua_pop(L, 1);
  return false;
}

std::string_view ToView(lua_State* L, int index) {
  size_t len = 0;
  const char* s = lua_tolstring(L, index, &len);
  return std::string_view(s, len);
}

void WriteAt(lua_State* L, int index, resp::Writer& w, bool resp3, int depth);

void WriteTable(lua_State* L, int t, resp::Writer& w, bool resp3, int depth) {
  if (StringField(L, t, "err")) {
    // Sent as "-" + err even when err starts with '-' (Redis sends "--X" then); Writer::Error
    // drops one leading '-', hence the extra one.
    std::string err = "-";
    err.append(ToView(L, -1));
    w.Error(err);
    lua_pop(L, 1);
    return;
  }
  if (StringField(L, t, "ok")) {
    w.SimpleString(ToView(L, -1));
    lua_pop(L, 1);
    return;
  }
  if (TypedField(L, t, "double", LUA_TNUMBER)) {
    w.Double(lua_tonumber(L, -1));
    lua_pop(L, 1);
    return;
  }
  if (StringField(L, t, "big_number")) {
    w.BigNumber(ToView(L, -1));
    lua_pop(L, 1);
    return;
  }
  if (TypedField(L, t, "map", LUA_TTABLE) || TypedField(L, t, "set", LUA_TTABLE)) {
    bool is_map = false;
    RawField(L, t, "map");
    is_map = lua_rawequal(L, -1, -2) != 0;
    lua_pop(L, 1);
    int inner = lua_gettop(L);
    size_t n = 0;
    for (lua_pushnil(L); lua_next(L, inner) != 0; lua_pop(L, 1)) {
      n++;
    }
    if (is_map) {
      w.MapHeader(n);
    } else {
      w.SetHeader(n);
    }
    for (lua_pushnil(L); lua_next(L, inner) != 0; lua_pop(L, 1)) {
      WriteAt(L, -2, w, resp3, depth + 1);
      if (is_map) {
        WriteAt(L, -1, w, resp3, depth + 1);
      }
    }
    lua_pop(L, 1);
    return;
  }
  if (TypedField(L, t, "verbatim_string", LUA_TTABLE)) {
    int v = lua_gettop(L);
    if (StringField(L, v, "format")) {
      if (StringField(L, v, "string")) {
        w.Verbatim(ToView(L, -2), ToView(L, -1));
        lua_pop(L, 3);
        return;
      }
      lua_pop(L, 1);
    }
    lua_pop(L, 1);
  }
  // A plain array: elements 1..n up to the first nil.
  size_t n = 0;
  for (;; ++n) {
    lua_rawgeti(L, t, static_cast<int>(n + 1));
    bool nil = lua_isnil(L, -1);
    lua_pop(L, 1);
    if (nil) {
      break;
    }
  }
  w.ArrayHeader(n);
  for (size_t i = 0; i < n; ++i) {
    lua_rawgeti(L, t, static_cast<int>(i + 1));
    WriteAt(L, -1, w, resp3, depth + 1);
    lua_pop(L, 1);
  }
}

void WriteAt(lua_State* L, int index, resp::Writer& w, bool resp3, int depth) {
  if (depth > kMaxDepth || !lua_checkstack(L, 8)) {
    w.Error("ERR reached lua stack limit");
    return;
  }
  int abs = index < 0 ? lua_gettop(L) + index + 1 : index;
  switch (lua_type(L, abs)) {
    case LUA_TSTRING:
      w.Bulk(ToView(L, abs));
      return;
    case LUA_TBOOLEAN:
      if (resp3) {
        w.Boolean(lua_toboolean(L, abs) != 0);
      } else if (lua_toboolean(L, abs)) {
        w.Integer(1);
      } else {
        w.Null();
      }
      return;
    case LUA_TNUMBER:
      w.Integer(LuaNumberToInteger(lua_tonumber(L, abs)));
      return;
    case LUA_TTABLE:
      WriteTable(L, abs, w, resp3, depth);
      return;
    default:
      w.Null();
      return;
  }
}

}  // namespace

long long LuaNumberToInteger(double n) {
  // 2^63 is exactly representable; values at or beyond it (and NaN) have no int64 value.
  constexpr double kLimit = 9223372036854775808.0;
  if (std::isnan(n) || n >= kLimit || n < -kLimit) {
    return std::numeric_limits<long long>::min();
  }
  return static_cast<long long>(n);
}

void PushReply(lua_State* L, std::string_view in, size_t* pos) { PushReplyAt(L, in, pos, 0); }

void PushErrorTable(lua_State* L, std::string_view error) {
  std::string code = "ERR";
  std::string_view msg = error;
  if (!error.empty() && error[0] == '-') {
    size_t space = error.find(' ');
    if (space == std::string_view::npos) {
      msg = error.substr(1);
    } else {
      code.assign(error.substr(1, space - 1));
      msg = error.substr(space + 1);
    }
  }
  while (!msg.empty() && (msg.back() == '\r' || msg.back() == '\n')) {
    msg.remove_suffix(1);
  }
  while (!msg.empty() && (msg.front() == '\r' || msg.front() == '\n')) {
    msg.remove_prefix(1);
  }
  code.push_back(' ');
  code.append(msg);
  lua_newtable(L);
  lua_pushlstring(L, code.data(), code.size());
  lua_setfield(L, -2, "err");
}

void WriteLuaValue(lua_State* L, int index, resp::Writer& w, bool script_resp3) {
  WriteAt(L, index, w, script_resp3, 0);
}

bool LuaArgToString(lua_State* L, int index, std::string* out) {
  int t = lua_type(L, index);
  if (t == LUA_TSTRING) {
    size_t len = 0;
    const char* s = lua_tolstring(L, index, &len);
    out->assign(s, len);
    return true;
  }
  if (t == LUA_TNUMBER) {
    char buf[64];
    int n = std::snprintf(buf, sizeof(buf), "%.17g", static_cast<double>(lua_tonumber(L, index)));
    out->assign(buf, static_cast<size_t>(n));
    return true;
  }
  return false;
}

}  // namespace mr::engine
