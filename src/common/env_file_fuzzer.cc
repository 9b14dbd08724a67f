// libFuzzer target for the .env parser, duration parser and traceparent parser: no crash, and
// accepted input keeps its invariants (valid names; a formatted traceparent parses back).
#include <cstdint>
#include <cstdlib>
#include <string>

#include "common/config.h"
#include "common/ids.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  auto parsed = mr::ParseEnvFile(text, "fuzz.env");
  if (parsed.ok()) {
    for (const auto& [k, v] : *parsed) {
      if (k.empty() || k.find('=') != std::string::npos) {
        std::abort();
      }
    }
  }
  if (auto ms = mr::ParseDurationMillis(text); ms && *ms < 0) {
    std::abort();
  }
  mr::ids::TraceParent tp;
  if (mr::ids::ParseTraceParent(text, &tp)) {
    mr::ids::TraceParent again;
    if (!mr::ids::ParseTraceParent(mr::ids::FormatTraceParent(tp), &again) ||
        again.trace_id != tp.trace_id) {
      std::abort();
    }
  }
  return 0;
}
