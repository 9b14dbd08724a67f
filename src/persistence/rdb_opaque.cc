#include "persistence/rdb_opaque.h"

#include <string_view>

#include "persistence/rdb_format.h"

namespace mr::persistence {
namespace {

constexpr size_t kStreamIdBytes = 16;  // 64-bit ms + 64-bit sequence, big-endian

// A module type ID packs a 9-character name (6 bits each) above a 10-bit encoding version.
std::string ModuleName(uint64_t id) {
  static constexpr std::string_view kCharset =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string name(9, '?');
  id >>= 10;
  for (int i = 8; i >= 0; --i) {
    name[i] = kCharset[id & 63];
    id >>= 6;
  }
  return name;
}

// A module value is a sequence of typed fields closed by an EOF opcode (RDB_MODULE_OPCODE_*).
bool SkipModuleFields(RdbInput* in) {
  std::string_view ignored;
  for (;;) {
    uint64_t opcode = 0;
    uint64_t n = 0;
    if (!in->ReadLength(&opcode)) return false;
    switch (opcode) {
      case kModuleOpEof:
        return true;
      case kModuleOpSint:
      case kModuleOpUint:
        if (!in->ReadLength(&n)) return false;
        break;
      case kModuleOpFloat:
        if (!in->ReadFixed(4, &ignored)) return false;
        break;
      case kModuleOpDouble:
        if (!in->ReadFixed(8, &ignored)) return false;
        break;
      case kModuleOpString:
        if (!in->SkipString()) return false;
        break;
      default:
        return in->Fail("unknown module field opcode " + std::to_string(opcode));
    }
  }
}

bool SkipLengths(RdbInput* in, int n) {
  uint64_t ignored = 0;
  for (int i = 0; i < n; ++i) {
    if (!in->ReadLength(&ignored)) return false;
  }
  return true;
}

// Consumer groups: name, last ID, [entries read], the group's pending entries, then consumers
// each with their own pending IDs (references into the group's list).
bool SkipStreamGroups(RdbInput* in, uint8_t type) {
  const bool v2 = type >= static_cast<uint8_t>(RdbType::kStreamListpacks2);
  const bool v3 = type >= static_cast<uint8_t>(RdbType::kStreamListpacks3);
  std::string_view ignored;
  uint64_t groups = 0;
  if (!in->ReadCount(&groups, 3)) return false;
  for (uint64_t g = 0; g < groups; ++g) {
    uint64_t pending = 0;
    uint64_t consumers = 0;
    if (!in->SkipString() || !SkipLengths(in, v2 ? 3 : 2) || !in->ReadCount(&pending, 18)) {
      return false;
    }
    for (uint64_t p = 0; p < pending; ++p) {
      // Raw ID, delivery time (ms), delivery count.
      if (!in->ReadFixed(kStreamIdBytes + 8, &ignored) || !SkipLengths(in, 1)) return false;
    }
    if (!in->ReadCount(&consumers, 10)) return false;
    for (uint64_t c = 0; c < consumers; ++c) {
      uint64_t owned = 0;
      // Name, seen time, [active time], then the IDs of its pending entries.
      if (!in->SkipString() || !in->ReadFixed(v3 ? 16 : 8, &ignored) ||
          !in->ReadCount(&owned, kStreamIdBytes)) {
        return false;
      }
      for (uint64_t o = 0; o < owned; ++o) {
        if (!in->ReadFixed(kStreamIdBytes, &ignored)) return false;
      }
    }
  }
  return true;
}

bool SkipStream(RdbInput* in, uint8_t type) {
  uint64_t nodes = 0;
  if (!in->ReadCount(&nodes, 2)) return false;
  for (uint64_t i = 0; i < nodes; ++i) {
    if (!in->SkipString() || !in->SkipString()) return false;  // master ID, listpack
  }
  // Length and last ID; 7.0 adds the first ID, the max deleted ID and entries added.
  const bool v2 = type >= static_cast<uint8_t>(RdbType::kStreamListpacks2);
  if (!SkipLengths(in, v2 ? 8 : 3)) return false;
  return SkipStreamGroups(in, type);
}

}  // namespace

Opaque OpaqueKind(uint8_t type) {
  switch (static_cast<RdbType>(type)) {
    case RdbType::kStreamListpacks:
    case RdbType::kStreamListpacks2:
    case RdbType::kStreamListpacks3:
    case RdbType::kModule2:
      return Opaque::kSkippable;
    case RdbType::kModulePreGa:
      return Opaque::kUnskippable;
    default:
      return Opaque::kNone;
  }
}

bool SkipOpaqueValue(RdbInput* in, uint8_t type, std::string* type_name) {
  if (type != static_cast<uint8_t>(RdbType::kModule2)) {
    *type_name = "stream";
    return SkipStream(in, type);
  }
  uint64_t id = 0;
  if (!in->ReadLength(&id)) return false;
  *type_name = "module:" + ModuleName(id);
  return SkipModuleFields(in);
}

bool SkipModuleAux(RdbInput* in, std::string* module) {
  uint64_t id = 0;
  uint64_t when_opcode = 0;
  uint64_t when = 0;
  if (!in->ReadLength(&id) || !in->ReadLength(&when_opcode) || !in->ReadLength(&when)) {
    return false;
  }
  *module = ModuleName(id);
  if (when_opcode != kModuleOpUint) {
    return in->Fail("module aux data for " + *module + " has a bad 'when' field");
  }
  return SkipModuleFields(in);
}

}  // namespace mr::persistence
