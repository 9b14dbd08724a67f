#include "services/auth_service/request_json.h"

#include <algorithm>
#include <cctype>

namespace mr::services::auth {

namespace {

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
  std::vector<BodyField> spec;
  for (const FieldSpec& f : fields) {
    spec.push_back({.name = f.name, .max_bytes = f.max_bytes});
  }
  BodyValues values;
  if (auto e = ParseBody(body, spec, &values)) {
    return e;
  }
  out->clear();
  for (auto& [name, value] : values) {
    (*out)[name] = std::move(value.text);
  }
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
