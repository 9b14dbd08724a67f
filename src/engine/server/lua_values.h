// Conversions between command replies and Lua values, with Redis 7.0's rules both ways.
//
// Reply -> Lua (redis.call's result): integer -> number, bulk -> string, null bulk/array -> false,
// array -> table, status -> {ok=...}, error -> {err=...}; with redis.setresp(3) also map -> {map=},
// set -> {set=}, double -> {double=}, boolean, null -> nil, big number, verbatim string.
// Lua -> reply (the script's result): number -> integer (truncated), string -> bulk, table ->
// array up to the first nil, {ok=} -> status, {err=} -> error, false/nil -> null, true -> 1.
#pragma once

#include <string>
#include <string_view>

#include "resp/writer.h"

struct lua_State;

namespace mr::engine {

/// Pushes the RESP reply starting at in[*pos] as one Lua value and advances *pos past it.
/// `in` is what our own Writer produced, so it is well formed.
void PushReply(lua_State* L, std::string_view in, size_t* pos);

/// Pushes {err=...} normalised like Redis: "-CODE msg" keeps CODE, anything else gets "ERR ".
void PushErrorTable(lua_State* L, std::string_view error);

/// Writes the Lua value at `index` as a reply. `script_resp3`: the script called redis.setresp(3)
/// (booleans are then real booleans, not 1/null).
void WriteLuaValue(lua_State* L, int index, resp::Writer& w, bool script_resp3);

/// A redis.call argument: strings as they are, numbers like Redis ("%.17g"). False otherwise.
bool LuaArgToString(lua_State* L, int index, std::string* out);

/// Lua number -> reply integer, the way the x86 conversion Redis relies on does it: values out of
/// int64 range (and NaN) become INT64_MIN.
long long LuaNumberToInteger(double n);

}  // namespace mr::engine
