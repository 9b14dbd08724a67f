// CRC-64/Jones as Redis computes it (reflected, initial value 0): the checksum at the end of an RDB
// file and of a DUMP payload. Table-driven, eight bytes per step.
#pragma once

#include <cstdint>
#include <string_view>

namespace mr::persistence {

/// Extends `crc` (0 to start) over `data`. Crc64(0, "123456789") == 0xe9c6d914c4b8d9ca.
uint64_t Crc64(uint64_t crc, std::string_view data);

}  // namespace mr::persistence
