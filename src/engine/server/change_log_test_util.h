// Test helper: records an instance's change log in memory and replays it into a fresh instance,
// so a test can check that what a command logged rebuilds the same data.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "engine/server/change_log.h"
#include "engine/server/engine.h"

namespace mr::engine {

class MemoryChangeLog : public ChangeLog {
 public:
  void Commit() override { TakeInto(&log_); }
  Status Save() override { return Status(); }
  Status BackgroundSave() override { return Status(); }
  int64_t last_save_s() const override { return 0; }
  void AppendInfo(std::string*) const override {}

  // Everything recorded so far, as RESP arrays of bulk strings.
  const std::string& Recorded() {
    Commit();
    return log_;
  }

 private:
  void TakeInto(std::string* out) {
    std::string chunk;
    TakePending(&chunk);
    out->append(chunk);
  }
  std::string log_;
};

// Splits a log into commands (arrays of bulk strings, as ChangeLog writes them).
inline std::vector<std::vector<std::string>> ParseLog(std::string_view log) {
  std::vector<std::vector<std::string>> cmds;
  size_t pos = 0;
  auto line = [&]() {
    size_t eol = log.find("\r\n", pos);
    std::string_view l = log.substr(pos + 1, eol - pos - 1);
    pos = eol + 2;
    return std::stoll(std::string(l));
  };
  while (pos < log.size()) {
    int64_t n = line();
    std::vector<std::string> cmd;
    for (int64_t i = 0; i < n; ++i) {
      auto len = static_cast<size_t>(line());
      cmd.emplace_back(log.substr(pos, len));
      pos += len + 2;
    }
    cmds.push_back(std::move(cmd));
  }
  return cmds;
}

// Replays `log` into `inst` the way a restart does; false when a command is refused.
inline bool ReplayLog(Instance& inst, std::string_view log) {
  Session s;
  OpenSession(inst, s);
  inst.set_loading(true);
  bool ok = true;
  std::string scratch;
  for (const auto& cmd : ParseLog(log)) {
    std::vector<std::string_view> views(cmd.begin(), cmd.end());
    ok = Replay(inst, s, views, &scratch) && ok;
  }
  inst.set_loading(false);
  CloseSession(inst, s);
  return ok;
}

}  // namespace mr::engine
