// Structured JSON logs on stdout: one object per line with timestamp, level, service, request_id,
// trace_id and message (plus optional fields). Loki and `jq` read them without a parser config.
#pragma once

#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

namespace spdlog {
class logger;
}

namespace mr::log {

enum class Level { kTrace, kDebug, kInfo, kWarn, kError };

/// Parses "trace|debug|info|warn|error".
bool ParseLevel(std::string_view name, Level* out);
/// Sets the process-wide minimum level; call once at start (before services log).
void SetLevel(Level level);

struct Context {
  std::string_view request_id;
  std::string_view trace_id;
};

using Fields = std::initializer_list<std::pair<std::string_view, std::string_view>>;

/// A logger bound to one service name. Cheap to copy; thread-safe.
class Logger {
 public:
  explicit Logger(std::string service);

  void Log(Level level, std::string_view message, const Context& ctx = {}, Fields fields = {}) const;
  void Info(std::string_view m, const Context& c = {}, Fields f = {}) const { Log(Level::kInfo, m, c, f); }
  void Warn(std::string_view m, const Context& c = {}, Fields f = {}) const { Log(Level::kWarn, m, c, f); }
  void Error(std::string_view m, const Context& c = {}, Fields f = {}) const { Log(Level::kError, m, c, f); }
  void Debug(std::string_view m, const Context& c = {}, Fields f = {}) const { Log(Level::kDebug, m, c, f); }
  bool Enabled(Level level) const;
  const std::string& service() const { return service_; }

 private:
  std::string service_;
  std::shared_ptr<spdlog::logger> sink_;
};

/// Appends `s` to `out` as the inside of a JSON string (quotes, backslashes, control characters).
void AppendJsonEscaped(std::string* out, std::string_view s);

}  // namespace mr::log
