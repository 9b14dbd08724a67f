// ReadLog on arbitrary bytes: never crashes, and its report adds up (whole records + dropped
// bytes = input), whatever a damaged disk or a hostile file holds.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "storage/append_log.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  uint64_t applied = 0;
  mr::storage::LogReadReport r = mr::storage::ReadLog(in, [&](auto args) {
    if (args.empty()) {
      std::abort();
    }
    ++applied;
    return args.size() % 2 == 0;
  });
  if (r.valid_bytes + r.dropped_bytes != size || applied != r.commands ||
      (r.dropped_bytes > 0 && r.error.empty())) {
    std::abort();
  }
  return 0;
}
