// The extra Lua libraries scripts get, as in Redis: `bit` (LuaBitOp's API), `cjson`
// (encode/decode/null) and `cmsgpack` (pack/unpack/unpack_one/unpack_limit). Written for
// MiniRedis; each leaves its library table on the stack.
#pragma once

#include <optional>

struct lua_State;

namespace mr::engine {

/// The keys of the table at stack index `t` when they are all positive integers (an array, maybe
/// sparse): how many there are and the largest. Nullopt for any other key (an object/map).
struct ArrayKeys {
  long count = 0;
  double max = 0;
};
std::optional<ArrayKeys> ScanArrayKeys(lua_State* L, int t);

void OpenBitLib(lua_State* L);
void OpenCjsonLib(lua_State* L);
void OpenCmsgpackLib(lua_State* L);

}  // namespace mr::engine
