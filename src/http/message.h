// Plain request/response types that services see; Beast stays inside src/http's .cc files so that
// a service file compiles in seconds.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mr::http {

/// Header names compare case-insensitively, as HTTP requires.
struct HeaderLess {
  bool operator()(const std::string& a, const std::string& b) const;
};
using Headers = std::map<std::string, std::string, HeaderLess>;

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string target;  // raw target with query, e.g. /v1/x?y=1
  std::string path;    // decoded-free path part of target
  std::map<std::string, std::string> query;
  Headers headers;
  std::string body;
  std::string remote_address;

  // Filled by the router and middleware.
  std::map<std::string, std::string> params;  // path parameters, e.g. {id}
  std::string route;                          // the matched route pattern (metrics label)
  std::string request_id;
  std::string trace_id;
  std::string traceparent;  // to forward on outbound calls (our span as parent)

  std::string Header(const std::string& name) const;
  std::string Param(const std::string& name) const;
};

struct Response {
  int status = 200;
  Headers headers;
  std::string body;

  static Response Json(int status, std::string body);
  static Response Text(int status, std::string body, std::string content_type = "text/plain");
};

/// The error body every service answers: {"error":{"code","message","request_id"}}.
Response JsonError(int status, std::string_view code, std::string_view message,
                   std::string_view request_id);

/// The reason phrase's machine form for a status (404 -> "not_found"), used as a default code.
std::string_view StatusCode(int status);

/// Splits "a=1&b=%20x" into a map (percent-decoding and '+' as space).
std::map<std::string, std::string> ParseQuery(std::string_view query);
std::string PercentDecode(std::string_view s);

}  // namespace mr::http
