#include "main/module_graph.h"

#include <algorithm>
#include <map>
#include <set>

namespace mr {

std::vector<std::string> SplitTargets(const std::string& list) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= list.size()) {
    size_t comma = list.find(',', start);
    std::string item = list.substr(start, comma == std::string::npos ? std::string::npos
                                                                       : comma - start);
    item.erase(0, item.find_first_not_of(' '));
    item.erase(item.find_last_not_of(' ') + 1);
    out.push_back(item);
    if (comma == std::string::npos) {
      break;
    }
    start = comma + 1;
  }
  return out;
}

Result<std::vector<std::string>> ResolveStartOrder(const std::vector<ModuleSpec>& table,
                                                   const std::vector<std::string>& targets) {
  std::map<std::string, const ModuleSpec*> by_name;
  std::string known;
  for (const auto& m : table) {
    by_name[m.name] = &m;
    known += (known.empty() ? "" : ", ") + m.name;
  }
  // Collect the closure over hard dependencies.
  std::set<std::string> selected;
  std::vector<std::string> stack;
  for (const auto& t : targets) {
    if (!by_name.count(t)) {
      return Status::Error("unknown target '" + t + "' (known targets: " + known + ")");
    }
    stack.push_back(t);
  }
  while (!stack.empty()) {
    std::string n = stack.back();
    stack.pop_back();
    if (!selected.insert(n).second) {
      continue;
    }
    for (const auto& d : by_name[n]->deps) {
      if (!by_name.count(d)) {
        return Status::Error("module '" + n + "' depends on unknown module '" + d + "'");
      }
      stack.push_back(d);
    }
  }
  // Depth-first topological order over deps and (selected) after-edges, in table order so the
  // result is deterministic.
  std::vector<std::string> order;
  std::map<std::string, int> state;  // 0 new, 1 visiting, 2 done
  std::string cycle;
  auto visit = [&](auto&& self, const std::string& n) -> bool {
    if (state[n] == 2) return true;
    if (state[n] == 1) {
      cycle = n;
      return false;
    }
    state[n] = 1;
    const ModuleSpec* m = by_name[n];
    std::vector<std::string> before = m->deps;
    for (const auto& a : m->after) {
      if (selected.count(a)) before.push_back(a);
    }
    for (const auto& b : before) {
      if (!self(self, b)) return false;
    }
    state[n] = 2;
    order.push_back(n);
    return true;
  };
  for (const auto& m : table) {
    if (selected.count(m.name) && !visit(visit, m.name)) {
      return Status::Error("module dependency cycle through '" + cycle + "'");
    }
  }
  return order;
}

}  // namespace mr
