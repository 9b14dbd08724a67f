// Every request body the backend parses, fed arbitrary bytes: no crash, no leak, and a body that
// parses yields values inside the documented bounds.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "services/backend/instance_request.h"

using namespace mr::services::backend;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  InstanceFields f;
  if (!ParseCreateInstance(body, 4096, &f)) {
    if (!IsValidName(*f.name) || *f.memory_limit_mb < 1 || *f.memory_limit_mb > 4096 ||
        !IsEvictionPolicy(*f.eviction_policy) || !IsPersistenceMode(*f.persistence)) {
      abort();
    }
  }
  InstanceFields u;
  if (!ParseUpdateInstance(body, 4096, &u) && u.name && !IsValidName(*u.name)) {
    abort();
  }
  std::vector<std::string> args;
  if (!ParseCommand(body, &args) && (args.empty() || args[0].empty())) {
    abort();
  }
  std::string name;
  if (!ParseApiKeyName(body, &name) && !IsValidName(name)) {
    abort();
  }
  return 0;
}
