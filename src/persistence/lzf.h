// LZF compression as used inside RDB files (Marc Lehmann's liblzf format): Redis compresses every
// string longer than 20 bytes with it when that saves space.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace mr::persistence {

/// Compresses `in` into `*out` (replaced). Returns false when the result would exceed `max_out`
/// bytes; the caller then stores the data uncompressed.
bool LzfCompress(std::string_view in, size_t max_out, std::string* out);

/// Decompresses `in` into `*out` (replaced), which must come out exactly `expected_len` bytes long.
/// Returns false on malformed input (a back reference before the start, overrun, wrong length);
/// never reads or writes out of bounds.
bool LzfDecompress(std::string_view in, size_t expected_len, std::string* out);

/// An LZF stream expands at most this many times (a 3-byte back reference yields 264 bytes), so a
/// declared length above `compressed * kLzfMaxRatio` is corrupt and must not be allocated.
inline constexpr size_t kLzfMaxRatio = 88;

}  // namespace mr::persistence
