// Strict parsing of JSON request bodies shared by the services: an object holding only the listed
// fields, each of the declared type and within its bounds; anything else is a 400 whose code and
// message name the field and never echo a value. Pure logic (no HTTP types).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mr::services {

/// A refused request: HTTP status, machine-readable code and a message safe to show.
struct ApiError {
  int status = 400;
  std::string code;
  std::string message;
};

struct BodyField {
  enum class Kind { kString, kInt, kStringArray };
  std::string name;
  Kind kind = Kind::kString;
  bool required = true;
  size_t max_bytes = 256;     // strings: bytes; arrays: bytes of each element
  int64_t min = 0;            // ints: value; strings: bytes; arrays: elements
  int64_t max = INT64_MAX;    // ints: value; arrays: elements
};

struct BodyValue {
  std::string text;
  int64_t integer = 0;
  std::vector<std::string> list;
};

/// The fields present, by name (absent optional fields are missing from the map).
using BodyValues = std::map<std::string, BodyValue>;

/// Parses `body` as a JSON object of `fields`. Strings are never empty and hold at least `min` and
/// at most `max_bytes` bytes; integers are JSON integers (no fractions, no quoted numbers) within
/// [min, max]; arrays hold [min, max] strings of at most `max_bytes` each. Duplicate keys: the
/// last one counts (as in most JSON parsers).
std::optional<ApiError> ParseBody(std::string_view body, const std::vector<BodyField>& fields,
                                  BodyValues* out);

}  // namespace mr::services
