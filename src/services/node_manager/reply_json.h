// Turns one RESP2/RESP3 reply into JSON for the exec API (and the console's web CLI): strings stay
// strings, integers numbers, nulls null, arrays/sets/pushes arrays, maps objects-as-pair-lists.
#pragma once

#include <boost/json/value.hpp>
#include <string_view>

namespace mr::services {

struct ReplyJson {
  boost::json::value value;  // the reply; an error reply is {"error": "<message>"}
  bool is_error = false;     // the top-level reply is an error
  bool complete = false;     // false: the bytes did not hold one whole, well-formed reply
};

/// Decodes the first reply in `resp`. Maps become [[k, v], ...] so that keys of any type and
/// their order survive; doubles become numbers (inf/nan as strings, since JSON has neither).
ReplyJson DecodeReply(std::string_view resp);

}  // namespace mr::services
