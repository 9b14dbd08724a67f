// libFuzzer target for the REST data API's body parser: any bytes, as one command and as a
// batch; no crash, the batch limit holds, and every parsed command is non-empty.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "services/api_gateway/rest_command.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace mr::services::gateway;
  std::string_view body(reinterpret_cast<const char*>(data), size);
  RestCommand one;
  if (ParseRestCommand(body, &one).empty() && one.empty()) {
    std::abort();
  }
  std::vector<RestCommand> batch;
  if (ParseRestBatch(body, 8, &batch).empty()) {
    if (batch.empty() || batch.size() > 8) {
      std::abort();
    }
    for (const RestCommand& c : batch) {
      if (c.empty()) {
        std::abort();
      }
    }
    (void)ExecBody(batch, true, true);
  }
  RestAnswer answer;
  (void)UpstashAnswer(body, RestShape::kTransaction, &answer);
  (void)PathCommand(body, body, body);
  return 0;
}
