#include "services/runtime/api_support.h"

#include <charconv>
#include <chrono>
#include <cstdio>
#include <ctime>

namespace mr::services {

int64_t NowMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

http::Response Unavailable(const http::Request& req, std::string_view message) {
  http::Response r = http::JsonError(503, "unavailable", message, req.request_id);
  // A std::string, not a literal: GCC 12's -Wrestrict misfires on the inlined literal assign.
  r.headers.insert_or_assign("Retry-After", std::string("1"));
  return r;
}

http::Response FromApiError(const http::Request& req, const ApiError& e) {
  return http::JsonError(e.status, e.code, e.message, req.request_id);
}

std::string Rfc3339(int64_t ms) {
  time_t seconds = static_cast<time_t>(ms / 1000);
  tm t{};
  gmtime_r(&seconds, &t);
  char buf[40];
  size_t n = strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &t);
  snprintf(buf + n, sizeof buf - n, ".%03dZ", static_cast<int>(ms % 1000));
  return buf;
}

std::string ClientAddress(const http::Request& req, bool trust_forwarded_for) {
  if (trust_forwarded_for) {
    std::string xff = req.Header("X-Forwarded-For");
    size_t comma = xff.rfind(',');
    std::string last = comma == std::string::npos ? xff : xff.substr(comma + 1);
    size_t b = last.find_first_not_of(' '), e = last.find_last_not_of(' ');
    if (b != std::string::npos) {
      return last.substr(b, e - b + 1);
    }
  }
  return req.remote_address;
}

bool ParseInt64(std::string_view text, int64_t* out) {
  if (text.empty() || text[0] == '-' || text[0] == '+') {
    return false;
  }
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && end == text.data() + text.size();
}

}  // namespace mr::services
