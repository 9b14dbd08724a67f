// The target table's dependency logic (Loki's module pattern): which modules a set of targets needs
// and the order to start them in (dependencies first); stop order is the reverse.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"

namespace mr {

struct ModuleSpec {
  std::string name;
  std::string description;
  std::vector<std::string> deps;   // always started with this module, and before it
  std::vector<std::string> after;  // ordering only: started before this module when also selected
};

/// Expands `targets` (names from the table; duplicates allowed) with their dependencies and returns
/// a start order. Unknown names and dependency cycles are errors naming the culprit.
Result<std::vector<std::string>> ResolveStartOrder(const std::vector<ModuleSpec>& table,
                                                   const std::vector<std::string>& targets);

/// Splits "a,b, c" into names (empty items are an error reported by ResolveStartOrder).
std::vector<std::string> SplitTargets(const std::string& list);

}  // namespace mr
