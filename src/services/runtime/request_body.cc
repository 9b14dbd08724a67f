#include "services/runtime/request_body.h"

#include <algorithm>
#include <boost/json.hpp>

namespace mr::services {
namespace json = boost::json;
namespace {

ApiError Invalid(const std::string& field, const std::string& what) {
  return {400, "invalid_" + field, field + " " + what};
}

// The name is user input: shown only when short and printable.
ApiError UnknownField(const std::string& key) {
  bool printable = key.size() <= 64 && std::all_of(key.begin(), key.end(), [](char c) {
                     return c >= 0x20 && c < 0x7f && c != '\'';
                   });
  return {400, "unknown_field", printable ? "unknown field '" + key + "'" : "unknown field"};
}

std::optional<ApiError> ReadString(const BodyField& f, const json::value& v, std::string* out) {
  if (!v.is_string()) {
    return Invalid(f.name, "must be a string");
  }
  const json::string& s = v.as_string();
  if (s.empty() || static_cast<int64_t>(s.size()) < f.min) {
    return Invalid(f.name, s.empty() ? "must not be empty"
                                     : "must be at least " + std::to_string(f.min) + " bytes");
  }
  if (s.size() > f.max_bytes) {
    return Invalid(f.name, "must be at most " + std::to_string(f.max_bytes) + " bytes");
  }
  out->assign(s.data(), s.size());
  return std::nullopt;
}

std::optional<ApiError> ReadInt(const BodyField& f, const json::value& v, int64_t* out) {
  int64_t n = 0;
  if (v.is_int64()) {
    n = v.as_int64();
  } else if (v.is_uint64()) {
    n = INT64_MAX;  // beyond any bound we accept
  } else {
    return Invalid(f.name, "must be an integer");
  }
  if (n < f.min || n > f.max) {
    return Invalid(f.name, "must be between " + std::to_string(f.min) + " and " +
                               std::to_string(f.max));
  }
  *out = n;
  return std::nullopt;
}

std::optional<ApiError> ReadStringArray(const BodyField& f, const json::value& v,
                                        std::vector<std::string>* out) {
  if (!v.is_array()) {
    return Invalid(f.name, "must be an array of strings");
  }
  const json::array& a = v.as_array();
  if (static_cast<int64_t>(a.size()) < f.min || static_cast<int64_t>(a.size()) > f.max) {
    return Invalid(f.name, "must hold between " + std::to_string(f.min) + " and " +
                               std::to_string(f.max) + " elements");
  }
  out->reserve(a.size());
  for (const json::value& e : a) {
    if (!e.is_string()) {
      return Invalid(f.name, "must be an array of strings");
    }
    if (e.as_string().size() > f.max_bytes) {
      return Invalid(f.name, "elements must be at most " + std::to_string(f.max_bytes) + " bytes");
    }
    out->emplace_back(e.as_string().data(), e.as_string().size());
  }
  return std::nullopt;
}

}  // namespace

std::optional<ApiError> ParseBody(std::string_view body, const std::vector<BodyField>& fields,
                                  BodyValues* out) {
  boost::system::error_code ec;
  json::value doc = json::parse(body, ec);
  if (ec) {
    return ApiError{400, "invalid_json", "request body is not valid JSON"};
  }
  if (!doc.is_object()) {
    return ApiError{400, "invalid_json", "request body must be a JSON object"};
  }
  BodyValues values;
  for (const auto& kv : doc.as_object()) {
    std::string key(kv.key());
    auto spec = std::find_if(fields.begin(), fields.end(),
                             [&](const BodyField& f) { return f.name == key; });
    if (spec == fields.end()) {
      return UnknownField(key);
    }
    BodyValue value;
    std::optional<ApiError> error;
    switch (spec->kind) {
      case BodyField::Kind::kString: error = ReadString(*spec, kv.value(), &value.text); break;
      case BodyField::Kind::kInt: error = ReadInt(*spec, kv.value(), &value.integer); break;
      case BodyField::Kind::kStringArray:
        error = ReadStringArray(*spec, kv.value(), &value.list);
        break;
    }
    if (error) {
      return error;
    }
    values[key] = std::move(value);
  }
  for (const BodyField& f : fields) {
    if (f.required && !values.count(f.name)) {
      return ApiError{400, "missing_field", "field '" + f.name + "' is required"};
    }
  }
  *out = std::move(values);
  return std::nullopt;
}

}  // namespace mr::services
