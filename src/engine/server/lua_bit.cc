// `bit`: 32-bit integer operations with LuaBitOp's semantics (arguments are wrapped modulo 2^32
// after rounding, results are signed 32-bit numbers).
#include <lua.hpp>

#include <cmath>
#include <cstdint>

#include "engine/server/lua_libs.h"

namespace mr::engine {

namespace {

uint32_t ToBits(lua_State* L, int index) {
  double d = luaL_checknumber(L, index);
  if (!std::isfinite(d)) {
    return 0;
  }
  // Round half to even like LuaBitOp's 2^52+2^51 trick, then wrap into 32 bits.
  double r = std::nearbyint(d);
  double m = std::fmod(r, 4294967296.0);
  if (m < 0) {
    m += 4294967296.0;
  }
  return static_cast<uint32_t>(m);
}

int PushBits(lua_State* L, uint32_t v) {
  lua_pushnumber(L, static_cast<lua_Number>(static_cast<int32_t>(v)));
  return 1;
}

int ToBit(lua_State* L) { return PushBits(L, ToBits(L, 1)); }
int BNot(lua_State* L) { return PushBits(L, ~ToBits(L, 1)); }

template <typename Op>
int Fold(lua_State* L, Op op) {
  uint32_t v = ToBits(L, 1);
  for (int i = lua_gettop(L); i > 1; --i) {
    v = op(v, ToBits(L, i));
  }
  return PushBits(L, v);
}

int BAnd(lua_State* L) { return Fold(L, [](uint32_t a, uint32_t b) { return a & b; }); }
int BOr(lua_State* L) { return Fold(L, [](uint32_t a, uint32_t b) { return a | b; }); }
int BXor(lua_State* L) { return Fold(L, [](uint32_t a, uint32_t b) { return a ^ b; }); }

int LShift(lua_State* L) { return PushBits(L, ToBits(L, 1) << (ToBits(L, 2) & 31)); }
int RShift(lua_State* L) { return PushBits(L, ToBits(L, 1) >> (ToBits(L, 2) & 31)); }
int ARShift(lua_State* L) {
  int32_t v = static_cast<int32_t>(ToBits(L, 1));
  return PushBits(L, static_cast<uint32_t>(v >> (ToBits(L, 2) & 31)));
}
int Rol(lua_State* L) {
  uint32_t v = ToBits(L, 1), n = ToBits(L, 2) & 31;
  return PushBits(L, n == 0 ? v : (v << n) | (v >> (32 - n)));
}
int Ror(lua_State* L) {
  uint32_t v = ToBits(L, 1), n = ToBits(L, 2) & 31;
  return PushBits(L, n == 0 ? v : (v >> n) | (v << (32 - n)));
}
int BSwap(lua_State* L) {
  uint32_t v = ToBits(L, 1);
  return PushBits(L, (v >> 24) | ((v >> 8) & 0xff00) | ((v & 0xff00) << 8) | (v << 24));
}

// tohex(x [, n]): n hex digits (default 8), upper case when n is negative.
int ToHex(lua_State* L) {
  uint32_t v = ToBits(L, 1);
  int32_t n = lua_isnoneornil(L, 2) ? 8 : static_cast<int32_t>(ToBits(L, 2));
  const char* digits = n < 0 ? "0123456789ABCDEF" : "0123456789abcdef";
  if (n < 0) {
    n = -n;
  }
  if (n > 8) {
    n = 8;
  }
  char buf[8];
  for (int i = n - 1; i >= 0; --i) {
    buf[i] = digits[v & 15];
    v >>= 4;
  }
  lua_pushlstring(L, buf, static_cast<size_t>(n));
  return 1;
}

constexpr luaL_Reg kFuncs[] = {
    {"tobit", ToBit},   {"bnot", BNot},     {"band", BAnd},       {"bor", BOr},
    {"bxor", BXor},     {"lshift", LShift}, {"rshift", RShift},   {"arshift", ARShift},
    {"rol", Rol},       {"ror", Ror},       {"bswap", BSwap},     {"tohex", ToHex},
    {nullptr, nullptr},
};

}  // namespace

void OpenBitLib(lua_State* L) {
  lua_newtable(L);
  for (const luaL_Reg* f = kFuncs; f->name != nullptr; ++f) {
    lua_pushcfunction(L, f->func);
    lua_setfield(L, -2, f->name);
  }
}

}  // namespace mr::engine
