// `cmsgpack`: MessagePack pack/unpack with lua-cmsgpack's choices as Redis ships it (smallest
// integer encoding, float32 when exact, tables as arrays only when keys are exactly 1..n, tables
// nested deeper than 16 packed as nil), so packed bytes equal redis-server's.
#include <lua.hpp>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "engine/server/lua_libs.h"

namespace mr::engine {

namespace {

constexpr int kMaxNesting = 16;

void PutBig(std::string* out, uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) {
    out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  }
}

void PackInteger(int64_t v, std::string* out) {
  if (v >= 0) {
    auto u = static_cast<uint64_t>(v);
    if (u <= 127) {
      out->push_back(static_cast<char>(u));
    } else if (u <= 0xff) {
      out->push_back(static_cast<char>(0xcc));
      PutBig(out, u, 1);
    } else if (u <= 0xffff) {
      out->push_back(static_cast<char>(0xcd));
      PutBig(out, u, 2);
    } else if (u <= 0xffffffffull) {
      out->push_back(static_cast<char>(0xce));
      PutBig(out, u, 4);
    } else {
      out->push_back(static_cast<char>(0xcf));
      PutBig(out, u, 8);
    }
    return;
  }
  auto u = static_cast<uint64_t>(v);
  if (v >= -32) {
    out->push_back(static_cast<char>(u & 0xff));
  } else if (v >= -128) {
    out->push_back(static_cast<char>(0xd0));
    PutBig(out, u, 1);
  } else if (v >= -32768) {
    out->push_back(static_cast<char>(0xd1));
    PutBig(out, u, 2);
  } else if (v >= -2147483648ll) {
    out->push_back(static_cast<char>(0xd2));
    PutBig(out, u, 4);
  } else {
    out->push_back(static_cast<char>(0xd3));
    PutBig(out, u, 8);
  }
}

void PackNumber(double n, std::string* out) {
  // An integral value within int64 packs as an integer.
  if (std::isfinite(n) && n >= -9223372036854775808.0 && n < 9223372036854775808.0 &&
      static_cast<double>(static_cast<int64_t>(n)) == n) {
    return PackInteger(static_cast<int64_t>(n), out);
  }
  auto f = static_cast<float>(n);
  if (static_cast<double>(f) == n) {
    uint32_t bits;
    std::memcpy(&bits, &f, sizeof(bits));
    out->push_back(static_cast<char>(0xca));
    PutBig(out, bits, 4);
  } else {
    uint64_t bits;
    std::memcpy(&bits, &n, sizeof(bits));
    out->push_back(static_cast<char>(0xcb));
    PutBig(out, bits, 8);
  }
}

void PackHeader(std::string* out, size_t n, uint8_t fix, size_t fix_max, uint8_t c8, uint8_t c16,
                uint8_t c32) {
  if (n <= fix_max) {
    out->push_back(static_cast<char>(fix | n));
  } else if (c8 != 0 && n <= 0xff) {
    out->push_back(static_cast<char>(c8));
    PutBig(out, n, 1);
  } else if (n <= 0xffff) {
    out->push_back(static_cast<char>(c16));
    PutBig(out, n, 2);
  } else {
    out->push_back(static_cast<char>(c32));
    PutBig(out, n, 4);
  }
}

// Array length when the keys are exactly 1..n, else -1.
long ArrayLength(lua_State* L, int t) {
  std::optional<ArrayKeys> keys = ScanArrayKeys(L, t);
  return keys && keys->max == static_cast<double>(keys->count) ? keys->count : -1;
}

void Pack(lua_State* L, int index, int level, std::string* out) {
  switch (lua_type(L, index)) {
    case LUA_TBOOLEAN:
      out->push_back(static_cast<char>(lua_toboolean(L, index) ? 0xc3 : 0xc2));
      return;
    case LUA_TNUMBER:
      return PackNumber(lua_tonumber(L, index), out);
    case LUA_TSTRING: {
      size_t n = 0;
      const char* s = lua_tolstring(L, index, &n);
      PackHeader(out, n, 0xa0, 31, 0xd9, 0xda, 0xdb);
      out->append(s, n);
      return;
    }
    case LUA_TTABLE:
      if (level < kMaxNesting) {
        break;
      }
      [[fallthrough]];
    default:  // nil, functions, userdata, and tables nested too deep
      out->push_back(static_cast<char>(0xc0));
      return;
  }
  luaL_checkstack(L, 4, "cmsgpack: nesting too deep");
  long len = ArrayLength(L, index);
  if (len >= 0) {
    PackHeader(out, static_cast<size_t>(len), 0x90, 15, 0, 0xdc, 0xdd);
    for (long i = 1; i <= len; ++i) {
      lua_rawgeti(L, index, static_cast<int>(i));
      Pack(L, lua_gettop(L), level + 1, out);
      lua_pop(L, 1);
    }
    return;
  }
  size_t pairs = 0;
  for (lua_pushnil(L); lua_next(L, index) != 0; lua_pop(L, 1)) {
    pairs++;
  }
  PackHeader(out, pairs, 0x80, 15, 0, 0xde, 0xdf);
  for (lua_pushnil(L); lua_next(L, index) != 0; lua_pop(L, 1)) {
    Pack(L, lua_gettop(L) - 1, level + 1, out);
    Pack(L, lua_gettop(L), level + 1, out);
  }
}

int CmsgpackPack(lua_State* L) {
  int n = lua_gettop(L);
  if (n == 0) {
    return luaL_argerror(L, 0, "MessagePack pack needs input.");
  }
  std::string out;
  for (int i = 1; i <= n; ++i) {
    Pack(L, i, 0, &out);
  }
  lua_pushlstring(L, out.data(), out.size());
  return 1;
}

// ---- Unpacking ----

class Reader {
 public:
  Reader(lua_State* L, std::string_view in, size_t pos) : L_(L), in_(in), pos_(pos) {}
  size_t pos() const { return pos_; }
  bool done() const { return pos_ >= in_.size(); }

  void Value(int depth) {
    luaL_checkstack(L_, 4, "cmsgpack: nesting too deep");
    uint8_t c = Byte();
    if (c <= 0x7f) {
      return lua_pushnumber(L_, c);
    }
    if (c >= 0xe0) {
      return lua_pushnumber(L_, static_cast<int8_t>(c));
    }
    if ((c & 0xe0) == 0xa0) {
      return String(c & 0x1f);
    }
    if ((c & 0xf0) == 0x90) {
      return Array(c & 0x0f, depth);
    }
    if ((c & 0xf0) == 0x80) {
      return Map(c & 0x0f, depth);
    }
    switch (c) {
      case 0xc0: return lua_pushnil(L_);
      case 0xc2: return lua_pushboolean(L_, 0);
      case 0xc3: return lua_pushboolean(L_, 1);
      case 0xcc: return lua_pushnumber(L_, static_cast<double>(Big(1)));
      case 0xcd: return lua_pushnumber(L_, static_cast<double>(Big(2)));
      case 0xce: return lua_pushnumber(L_, static_cast<double>(Big(4)));
      // uint64 goes through int64 in lua-cmsgpack: 2^64-1 unpacks as -1.
      case 0xcf: return lua_pushnumber(L_, static_cast<double>(static_cast<int64_t>(Big(8))));
      case 0xd0: return lua_pushnumber(L_, static_cast<int8_t>(Big(1)));
      case 0xd1: return lua_pushnumber(L_, static_cast<int16_t>(Big(2)));
      case 0xd2: return lua_pushnumber(L_, static_cast<int32_t>(Big(4)));
      case 0xd3: return lua_pushnumber(L_, static_cast<double>(static_cast<int64_t>(Big(8))));
      case 0xca: {
        auto bits = static_cast<uint32_t>(Big(4));
        float f;
        std::memcpy(&f, &bits, sizeof(f));
        return lua_pushnumber(L_, f);
      }
      case 0xcb: {
        uint64_t bits = Big(8);
        double d;
        std::memcpy(&d, &bits, sizeof(d));
        return lua_pushnumber(L_, d);
      }
      case 0xd9: return String(Big(1));
      case 0xda: return String(Big(2));
      case 0xdb: return String(Big(4));
      case 0xdc: return Array(Big(2), depth);
      case 0xdd: return Array(Big(4), depth);
      case 0xde: return Map(Big(2), depth);
      case 0xdf: return Map(Big(4), depth);
      default: luaL_error(L_, "Bad data format in input.");  // bin and ext types included
    }
  }

 private:
  void Need(uint64_t n) {
    if (in_.size() - pos_ < n) {
      luaL_error(L_, "Missing bytes in input.");
    }
  }
  uint8_t Byte() {
    Need(1);
    return static_cast<uint8_t>(in_[pos_++]);
  }
  uint64_t Big(int bytes) {
    Need(static_cast<uint64_t>(bytes));
    uint64_t v = 0;
    for (int i = 0; i < bytes; ++i) {
      v = (v << 8) | static_cast<uint8_t>(in_[pos_++]);
    }
    return v;
  }
  void String(uint64_t n) {
    Need(n);
    lua_pushlstring(L_, in_.data() + pos_, static_cast<size_t>(n));
    pos_ += static_cast<size_t>(n);
  }
  void Array(uint64_t n, int depth) {
    Need(n);  // every element takes at least one byte: refuses absurd sizes before allocating
    lua_createtable(L_, 0, 0);
    for (uint64_t i = 1; i <= n; ++i) {
      Value(depth + 1);
      lua_rawseti(L_, -2, static_cast<int>(i));
    }
  }
  void Map(uint64_t n, int depth) {
    Need(n * 2);
    lua_createtable(L_, 0, 0);
    for (uint64_t i = 0; i < n; ++i) {
      Value(depth + 1);
      Value(depth + 1);
      if (lua_isnil(L_, -2)) {  // a nil key cannot be stored: dropped, like lua-cmsgpack
        lua_pop(L_, 2);
        continue;
      }
      lua_rawset(L_, -3);
    }
  }

  lua_State* L_;
  std::string_view in_;
  size_t pos_;
};

// Decodes up to `limit` objects (0: all) from `offset`; returns how many it pushed.
int UnpackObjects(lua_State* L, std::string_view in, size_t offset, long limit, size_t* end) {
  Reader r(L, in, offset);
  int pushed = 0;
  while (!r.done() && (limit <= 0 || pushed < limit)) {
    luaL_checkstack(L, 2, "cmsgpack: too many values");
    r.Value(0);
    pushed++;
  }
  *end = r.pos();
  return pushed;
}

int CmsgpackUnpack(lua_State* L) {
  size_t n = 0;
  const char* s = luaL_checklstring(L, 1, &n);
  size_t end = 0;
  return UnpackObjects(L, std::string_view(s, n), 0, 0, &end);
}

// unpack_limit(s, limit [, offset]): the offset to continue from (-1 at the end), then objects.
int CmsgpackUnpackLimit(lua_State* L) {
  size_t n = 0;
  const char* s = luaL_checklstring(L, 1, &n);
  long limit = luaL_checkinteger(L, 2);
  long offset = luaL_optinteger(L, 3, 0);
  if (offset < 0 || limit < 0) {
    return luaL_error(L, "Invalid request to unpack with offset of %d and limit of %d.",
                      static_cast<int>(offset), static_cast<int>(limit));
  }
  if (static_cast<size_t>(offset) > n) {
    return luaL_error(L, "Start offset %d greater than input length %d.",
                      static_cast<int>(offset), static_cast<int>(n));
  }
  lua_pushnil(L);  // placeholder for the offset
  int slot = lua_gettop(L);
  size_t end = 0;
  int pushed = UnpackObjects(L, std::string_view(s, n), static_cast<size_t>(offset), limit, &end);
  lua_pushnumber(L, end >= n ? -1 : static_cast<lua_Number>(end));
  lua_replace(L, slot);
  return pushed + 1;
}

int CmsgpackUnpackOne(lua_State* L) {
  lua_settop(L, 2);
  lua_pushnumber(L, 1);
  lua_insert(L, 2);  // s, 1, offset
  return CmsgpackUnpackLimit(L);
}

}  // namespace

void OpenCmsgpackLib(lua_State* L) {
  lua_newtable(L);
  lua_pushcfunction(L, CmsgpackPack);
  lua_setfield(L, -2, "pack");
  lua_pushcfunction(L, CmsgpackUnpack);
  lua_setfield(L, -2, "unpack");
  lua_pushcfunction(L, CmsgpackUnpackOne);
  lua_setfield(L, -2, "unpack_one");
  lua_pushcfunction(L, CmsgpackUnpackLimit);
  lua_setfield(L, -2, "unpack_limit");
}

}  // namespace mr::engine
