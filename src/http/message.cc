#include "http/message.h"

#include <strings.h>

#include "common/log.h"

namespace mr::http {

bool HeaderLess::operator()(const std::string& a, const std::string& b) const {
  return strcasecmp(a.c_str(), b.c_str()) < 0;
}

std::string Request::Header(const std::string& name) const {
  auto it = headers.find(name);
  return it == headers.end() ? std::string() : it->second;
}

std::string Request::Param(const std::string& name) const {
  auto it = params.find(name);
  return it == params.end() ? std::string() : it->second;
}

Response Response::Json(int status, std::string body) {
  Response r;
  r.status = status;
  r.headers["Content-Type"] = "application/json";
  r.body = std::move(body);
  return r;
}

Response Response::Text(int status, std::string body, std::string content_type) {
  Response r;
  r.status = status;
  r.headers["Content-Type"] = std::move(content_type);
  r.body = std::move(body);
  return r;
}

Response JsonError(int status, std::string_view code, std::string_view message,
                   std::string_view request_id) {
  std::string body = R"({"error":{"code":")";
  log::AppendJsonEscaped(&body, code);
  body += R"(","message":")";
  log::AppendJsonEscaped(&body, message);
  body += R"(","request_id":")";
  log::AppendJsonEscaped(&body, request_id);
  body += "\"}}";
  return Response::Json(status, std::move(body));
}

std::string_view StatusCode(int status) {
  switch (status) {
    case 400: return "bad_request";
    case 401: return "unauthorized";
    case 403: return "forbidden";
    case 404: return "not_found";
    case 405: return "method_not_allowed";
    case 408: return "request_timeout";
    case 409: return "conflict";
    case 413: return "payload_too_large";
    case 415: return "unsupported_media_type";
    case 422: return "unprocessable_entity";
    case 429: return "rate_limited";
    case 500: return "internal";
    case 502: return "bad_gateway";
    case 503: return "unavailable";
    case 504: return "gateway_timeout";
    default: return status >= 500 ? "internal" : "error";
  }
}

std::string PercentDecode(std::string_view s) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 &&
        hex(s[i + 2]) >= 0) {
      out += static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2]));
      i += 2;
    } else {
      out += s[i] == '+' ? ' ' : s[i];
    }
  }
  return out;
}

std::map<std::string, std::string> ParseQuery(std::string_view query) {
  std::map<std::string, std::string> out;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view part = query.substr(0, amp);
    if (!part.empty()) {
      size_t eq = part.find('=');
      std::string key = PercentDecode(part.substr(0, eq));
      out[key] = eq == std::string_view::npos ? "" : PercentDecode(part.substr(eq + 1));
    }
    if (amp == std::string_view::npos) {
      break;
    }
    query.remove_prefix(amp + 1);
  }
  return out;
}

}  // namespace mr::http
