// The target table of the miniredis binary: every service module, what it needs before it, and its
// factory; `all` runs them all in one process (the embedded default).
#pragma once

#include <functional>
#include <vector>

#include "main/module_graph.h"
#include "services/runtime/service.h"

namespace mr {

struct Target {
  ModuleSpec spec;
  /// Null for modules that only group others (`all`).
  std::function<Result<services::ServicePtr>(const services::ServiceContext&)> make;
};

const std::vector<Target>& Targets();
std::vector<ModuleSpec> TargetSpecs();
void RegisterAllSettings(ConfigSchema* schema);

}  // namespace mr
