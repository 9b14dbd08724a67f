#include "services/auth_service/request_json.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>

namespace mr::services::auth {
namespace json = boost::json;

namespace {

ApiError Invalid(const std::string& field, const std::string& what) {
  return {400, "invalid_" + field, field + " " + what};
}

bool IsAtext(char c) {
  static constexpr std::string_view kSpecials = "!#$%&'*+/=?^_`{|}~-";
  return std::isalnum(static_cast<unsigned char>(c)) || kSpecials.find(c) != std::string_view::npos;
}

bool IsValidLocalPart(std::string_view local) {
  if (local.empty() || local.size() > 64 || local.front() == '.' || local.back() == '.' ||
      local.find("..") != std::string_view::npos) {
    return false;
  }
  return std::all_of(local.begin(), local.end(), [](char c) { return c == '.' || IsAtext(c); });
}

bool IsValidLabel(std::string_view label) {
  if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
    return false;
  }
  return std::all_of(label.begin(), label.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-';
  });
}

bool IsValidDomain(std::string_view domain) {
  if (domain.empty() || domain.size() > 253) {
    return false;
  }
  size_t labels = 0;
  std::string_view last;
  size_t start = 0;
  while (true) {
    size_t dot = domain.find('.', start);
    size_t length = dot == std::string_view::npos ? dot : dot - start;
    std::string_view label = domain.substr(start, length);
    if (!IsValidLabel(label)) {
      return false;
    }
    ++labels;
    last = label;
    if (dot == std::string_view::npos) {
      break;
    }
    start = dot + 1;
  }
  return labels >= 2 && last.size() >= 2 && std::all_of(last.begin(), last.end(), [](char c) {
           return std::isalpha(static_cast<unsigned char>(c));
         });
}

}  // namespace

std::optional<ApiError> ParseStringFields(std::string_view body,
                                          const std::vector<FieldSpec>& fields,
                                          std::map<std::string, std::string>* out) {
  boost::system::error_code ec;
  json::value doc = json::parse(body, ec);
  if (ec) {
    return ApiError{400, "invalid_json", "request body is not valid JSON"};
  }
  if (!doc.is_object()) {
    return ApiError{400, "invalid_json", "request body must be a JSON object"};
  }
  std::map<std::string, std::string> values;
  for (const auto& kv : doc.as_object()) {
    std::string key(kv.key());
    auto spec = std::find_if(fields.begin(), fields.end(),
                             [&](const FieldSpec& f) { return f.name == key; });
    if (spec == fields.end()) {
      // The name is user input: show it only when it is short and printable.
      bool printable = key.size() <= 64 && std::all_of(key.begin(), key.end(), [](char c) {
                         return c >= 0x20 && c < 0x7f && c != '\'';
                       });
      return ApiError{400, "unknown_field",
                      printable ? "unknown field '" + key + "'" : "unknown field"};
    }
    if (!kv.value().is_string()) {
      return Invalid(key, "must be a string");
    }
    const json::string& s = kv.value().as_string();
    if (s.empty()) {
      return Invalid(key, "must not be empty");
    }
    if (s.size() > spec->max_bytes) {
      return Invalid(key, "must be at most " + std::to_string(spec->max_bytes) + " bytes");
    }
    values[key] = std::string(s);
  }
  for (const FieldSpec& f : fields) {
    if (!values.count(f.name)) {
      return ApiError{400, "missing_field", "field '" + f.name + "' is required"};
    }
  }
  *out = std::move(values);
  return std::nullopt;
}

bool IsValidEmail(std::string_view email) {
  if (email.size() > kMaxEmailBytes) {
    return false;
  }
  size_t at = email.rfind('@');
  if (at == std::string_view::npos || email.find('@') != at) {
    return false;
  }
  return IsValidLocalPart(email.substr(0, at)) && IsValidDomain(email.substr(at + 1));
}

std::string NormalizeEmail(std::string_view email) {
  std::string out(email);
  for (char& c : out) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

}  // namespace mr::services::auth
