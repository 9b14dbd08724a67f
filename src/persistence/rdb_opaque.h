// Values this library does not load (streams, module types, module aux data) but must step over
// to reach the keys after them: their length is only known by walking their structure.
#pragma once

#include <cstdint>
#include <string>

#include "persistence/rdb_input.h"

namespace mr::persistence {

enum class Opaque {
  kNone,         // a type the reader decodes
  kSkippable,    // not decoded, but its extent can be found
  kUnskippable,  // not decoded and its extent is unknowable: reading must stop
};

Opaque OpaqueKind(uint8_t type);

/// Steps over a kSkippable value; `*type_name` says what it was ("stream", "module:<name>").
bool SkipOpaqueValue(RdbInput* in, uint8_t type, std::string* type_name);

/// Steps over a MODULE_AUX opcode's payload; `*module` is the module type's name.
bool SkipModuleAux(RdbInput* in, std::string* module);

}  // namespace mr::persistence
