// String Op* functions shared by the string and bit families: data work only, no replies.
#pragma once

#include <string>
#include <string_view>

#include "engine/server/command_context.h"

namespace mr::engine {

/// SET semantics. SKIPPED when NX/XX prevented the write; WRONG_TYPE only when old_out is given
/// (SET ... GET / GETSET) and the key holds another type. expire_at: absolute ms, 0 = none.
OpStatus OpSet(CommandContext& c, std::string_view key, std::string_view value, bool nx, bool xx,
               bool keepttl, int64_t expire_at, std::string* old_out, bool* had_old);
OpResult<int64_t> OpIncrBy(CommandContext& c, std::string_view key, int64_t delta);
OpResult<size_t> OpAppend(CommandContext& c, std::string_view key, std::string_view value);
OpResult<size_t> OpSetRange(CommandContext& c, std::string_view key, size_t offset,
                            std::string_view value);
/// The value of a string entry; int-encoded values are formatted into buf (>= 24 bytes).
std::string_view StringValue(const Entry* e, char* buf);
/// Replaces (or creates) key with raw bytes, keeping the TTL of an existing key.
void StoreRawString(CommandContext& c, std::string_view key, std::string_view value);

}  // namespace mr::engine
