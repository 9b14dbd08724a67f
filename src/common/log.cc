#include "common/log.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <mutex>

namespace mr::log {
namespace {

std::atomic<Level> g_level{Level::kInfo};

spdlog::level::level_enum ToSpd(Level l) {
  switch (l) {
    case Level::kTrace: return spdlog::level::trace;
    case Level::kDebug: return spdlog::level::debug;
    case Level::kInfo: return spdlog::level::info;
    case Level::kWarn: return spdlog::level::warn;
    case Level::kError: return spdlog::level::err;
  }
  return spdlog::level::info;
}

// One stdout sink for the whole process so that lines from several services never interleave.
std::shared_ptr<spdlog::logger> SharedSink() {
  static std::once_flag once;
  static std::shared_ptr<spdlog::logger> logger;
  std::call_once(once, [] {
    auto sink = std::make_shared<spdlog::sinks::stdout_sink_mt>();
    logger = std::make_shared<spdlog::logger>("miniredis", sink);
    // The message part (%v) is the rest of the JSON object, built in Logger::Log.
    logger->set_formatter(std::make_unique<spdlog::pattern_formatter>(
        R"({"timestamp":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l",%v)",
        spdlog::pattern_time_type::utc));
    logger->set_level(spdlog::level::trace);
    logger->flush_on(spdlog::level::trace);
  });
  return logger;
}

}  // namespace

bool ParseLevel(std::string_view name, Level* out) {
  static const std::pair<std::string_view, Level> kLevels[] = {
      {"trace", Level::kTrace}, {"debug", Level::kDebug}, {"info", Level::kInfo},
      {"warn", Level::kWarn},   {"error", Level::kError}};
  for (const auto& [n, l] : kLevels) {
    if (n == name) {
      *out = l;
      return true;
    }
  }
  return false;
}

void SetLevel(Level level) { g_level = level; }

Logger::Logger(std::string service) : service_(std::move(service)), sink_(SharedSink()) {}

bool Logger::Enabled(Level level) const { return level >= g_level.load(std::memory_order_relaxed); }

void Logger::Log(Level level, std::string_view message, const Context& ctx, Fields fields) const {
  if (!Enabled(level)) {
    return;
  }
  std::string line;
  line.reserve(128 + message.size());
  auto field = [&line](std::string_view k, std::string_view v, bool last = false) {
    line += '"';
    line += k;
    line += "\":\"";
    AppendJsonEscaped(&line, v);
    line += last ? "\"" : "\",";
  };
  field("service", service_);
  field("request_id", ctx.request_id);
  field("trace_id", ctx.trace_id);
  for (const auto& [k, v] : fields) {
    field(k, v);
  }
  field("message", message, true);
  line += '}';
  sink_->log(ToSpd(level), "{}", line);
}

void AppendJsonEscaped(std::string* out, std::string_view s) {
  static const char kHex[] = "0123456789abcdef";
  for (unsigned char c : s) {
    switch (c) {
      case '"': *out += "\\\""; break;
      case '\\': *out += "\\\\"; break;
      case '\n': *out += "\\n"; break;
      case '\r': *out += "\\r"; break;
      case '\t': *out += "\\t"; break;
      default:
        if (c < 0x20) {
          *out += "\\u00";
          *out += kHex[c >> 4];
          *out += kHex[c & 15];
        } else {
          *out += static_cast<char>(c);
        }
    }
  }
}

}  // namespace mr::log
