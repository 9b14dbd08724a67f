// libFuzzer target for the RESP reply decoder used by the exec API: any bytes, no crash, no
// runaway allocation, and a complete decode always serializes to JSON.
#include <boost/json/serialize.hpp>
#include <cstdint>
#include <string_view>

#include "services/node_manager/reply_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto r = mr::services::DecodeReply(std::string_view(reinterpret_cast<const char*>(data), size));
  if (r.complete) {
    (void)boost::json::serialize(r.value);
  }
  return 0;
}
