// Settings: every one has an env name, a flag, a default and a description (docs/configuration.md is
// generated from the same table). Values resolve as default < .env file < environment < flag.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"

namespace mr {

/// Returns an explanation when `value` is not acceptable, nothing when it is.
using Validator = std::function<std::optional<std::string>(const std::string& value)>;

struct Setting {
  std::string env;          // e.g. GATEWAY_PORT; also the key used by Config::Get
  std::string default_value;
  std::string description;  // one line for docs/configuration.md
  Validator validate;       // may be empty: any string
  bool secret = false;      // never printed or logged
  std::string owner;        // module that declares it ("common", "api-gateway", ...)

  /// The flag name derived from the env name: GATEWAY_PORT -> --gateway-port.
  std::string FlagName() const;
};

class ConfigSchema {
 public:
  void Add(Setting setting);
  const std::vector<Setting>& settings() const { return settings_; }
  const Setting* Find(const std::string& env) const;
  /// Markdown table of every setting, grouped by owner (the content of docs/configuration.md).
  std::string RenderMarkdown() const;

 private:
  std::vector<Setting> settings_;
};

class Config {
 public:
  Config() = default;
  explicit Config(std::map<std::string, std::string> values) : values_(std::move(values)) {}

  const std::string& Get(const std::string& env) const;
  int64_t GetInt(const std::string& env) const;
  bool GetBool(const std::string& env) const;
  /// Durations are written as 500ms, 10s, 5m or 1h (a bare number means seconds).
  int64_t GetMillis(const std::string& env) const;
  void Set(const std::string& env, std::string value) { values_[env] = std::move(value); }
  const std::map<std::string, std::string>& values() const { return values_; }

 private:
  std::map<std::string, std::string> values_;
};

/// Parses a .env file: KEY=VALUE lines, `#` comments, optional `export `, single or double quotes.
/// A malformed line is an error naming the file and line number.
Result<std::map<std::string, std::string>> ParseEnvFile(const std::string& text,
                                                        const std::string& filename);

struct ConfigSources {
  std::map<std::string, std::string> env_file;     // from .env
  std::map<std::string, std::string> environment;  // process environment (only schema keys used)
  std::map<std::string, std::string> flags;        // from the command line
};

/// Merges the sources over the defaults and validates every value; the first invalid one is an
/// error naming the setting, its source and the bad value.
Result<Config> ResolveConfig(const ConfigSchema& schema, const ConfigSources& sources);

namespace validate {
Validator Port();
Validator IntRange(int64_t min, int64_t max);
Validator OneOf(std::vector<std::string> allowed);
Validator Duration();
Validator Url();
Validator NonEmpty();
}  // namespace validate

/// Parses a duration (500ms, 10s, 5m, 1h, bare seconds) into milliseconds.
std::optional<int64_t> ParseDurationMillis(const std::string& text);

}  // namespace mr
