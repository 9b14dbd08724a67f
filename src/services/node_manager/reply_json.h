// Turns one RESP2/RESP3 reply into JSON for the exec API (and the console's web CLI): strings stay
// strings, integers numbers, nulls null, arrays/sets/pushes arrays, maps objects-as-pair-lists.
#pragma once

#include <boost/json/value.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace mr::services {

struct ReplyJson {
  boost::json::value value;  // the reply; an error reply is {"error": "<message>"}
  bool is_error = false;     // the top-level reply is an error
  bool complete = false;     // false: the bytes did not hold one whole, well-formed reply
};

struct ReplyOptions {
  /// Upstash's `Upstash-Encoding: base64`: every string (status, bulk, verbatim, big number) is
  /// base64, except the status "OK"; errors stay text, integers numbers, nulls null. JSON
  /// strings then carry any bytes, not only UTF-8.
  bool base64 = false;
};

/// Decodes the first reply in `resp`. Maps become [[k, v], ...] so that keys of any type and
/// their order survive; doubles become numbers (inf/nan as strings, since JSON has neither).
ReplyJson DecodeReply(std::string_view resp, ReplyOptions options = {});

/// Splits one whole array reply (EXEC's) into the RESP bytes of its items, which `resp` owns.
/// False when `resp` does not start with a complete array (a null array included).
bool SplitArrayReply(std::string_view resp, std::vector<std::string_view>* items);

/// JSON text must be UTF-8 (RFC 8259): each byte of `s` that is not part of valid UTF-8 becomes
/// U+FFFD. Values that are not text survive exactly only with the base64 option.
std::string ToValidUtf8(std::string_view s);

/// Standard base64 with padding (what JavaScript's atob reads).
std::string Base64Encode(std::string_view bytes);

}  // namespace mr::services
