// Command table construction and the allocation-free, case-insensitive lookup.
#include "engine/server/command_registry.h"

#include <cstdlib>

#include "engine/server/families.h"

namespace mr::engine {

namespace {
constexpr size_t kMaxName = 32;

// Command names are lowercase letters (and '_' as in sort_ro), so OR-ing 0x20 folds ASCII case
// for letters; only 'A'-'Z' fold onto a letter, and other bytes must match exactly.
bool EqualsFolded(std::string_view in, std::string_view lower) {
  if (in.size() != lower.size()) {
    return false;
  }
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != lower[i] && (in[i] | 0x20) != lower[i]) {
      return false;
    }
  }
  return true;
}
}  // namespace

// A few folded bytes and the length pick the slot: no allocation, no full-string hash.
uint64_t CommandRegistry::NameHash(std::string_view name) {
  if (name.empty()) {
    return 0;
  }
  uint64_t n = name.size();
  uint64_t a = static_cast<uint8_t>(name[0] | 0x20);
  uint64_t b = static_cast<uint8_t>(name[n / 2] | 0x20);
  uint64_t c = static_cast<uint8_t>(name[n - 1] | 0x20);
  uint64_t d = static_cast<uint8_t>(name[n > 1 ? 1 : 0] | 0x20);
  return (n * 0x9E3779B97F4A7C15ull) ^ (a * 0xC2B2AE3D27D4EB4Full) ^ (b * 0x165667B19E3779F9ull) ^
         (c * 0x27D4EB2F165667C5ull) ^ (d * 0x85EBCA77C2B2AE63ull);
}

CommandRegistry& CommandRegistry::operator<<(const CommandId& cmd) {
  cmds_.push_back(cmd);
  return *this;
}

void CommandRegistry::Seal() {
  size_t cap = 64;
  while (cap < cmds_.size() * 8) {
    cap *= 2;
  }
  index_.assign(cap, -1);
  mask_ = cap - 1;
  for (size_t i = 0; i < cmds_.size(); ++i) {
    uint64_t h = (NameHash(cmds_[i].name) >> 20) & mask_;
    while (index_[h] >= 0) {
      if (cmds_[index_[h]].name == cmds_[i].name) {
        std::abort();  // registered twice: a programming error
      }
      h = (h + 1) & mask_;
    }
    index_[h] = static_cast<int32_t>(i);
  }
}

const CommandId* CommandRegistry::Find(std::string_view name) const {
  if (name.size() > kMaxName) {
    return nullptr;
  }
  for (uint64_t h = (NameHash(name) >> 20) & mask_;; h = (h + 1) & mask_) {
    int32_t i = index_[h];
    if (i < 0) {
      return nullptr;
    }
    if (EqualsFolded(name, cmds_[i].name)) {
      return &cmds_[i];
    }
  }
}

const CommandRegistry& Commands() {
  static const CommandRegistry* registry = [] {
    auto* r = new CommandRegistry();
    RegisterKeysFamily(r);
    RegisterStringFamily(r);
    RegisterServerFamily(r);
    RegisterConnectionFamily(r);
    RegisterBitopsFamily(r);
    RegisterHashFamily(r);
    RegisterSetFamily(r);
    RegisterListFamily(r);
    RegisterZSetFamily(r);
    RegisterTransactionFamily(r);
    RegisterHllFamily(r);
    RegisterSortFamily(r);
    RegisterPubSubFamily(r);
    RegisterSlowlogFamily(r);
    RegisterPersistenceFamily(r);
    RegisterDumpFamily(r);
    RegisterGeoFamily(r);
    RegisterBitfieldFamily(r);
    RegisterScriptFamily(r);
    r->Seal();
    return r;
  }();
  return *registry;
}

}  // namespace mr::engine
