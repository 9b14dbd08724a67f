// Whole-value operations over any entry type: deep copy (COPY, RENAME across dbs) and the byte
// estimate MEMORY USAGE reports.
#pragma once

#include <string_view>

#include "engine/core/entry.h"
#include "engine/core/hash_type.h"

namespace mr::engine {

/// Deep copy of `e`'s value under `key`, without TTL or LRU data.
Entry* CloneEntry(const Entry* e, std::string_view key, const EncodingLimits& lim);
/// Bytes allocated for the entry and its object, plus its table slot.
size_t EntryMemoryUsage(const Entry* e);

}  // namespace mr::engine
