#include "main/healthcheck.h"

#include <iostream>

#include "common/config.h"
#include "http/client.h"

namespace mr {

Status CheckHealth(const std::string& url, std::chrono::milliseconds timeout) {
  std::string host, port, target;
  if (!http::ParseHttpUrl(url, &host, &port, &target)) {
    return Status::Error("invalid --url '" + url + "' (expected http://host:port/path)");
  }
  http::ClientOptions options;
  options.connect_timeout = timeout;
  options.max_response_bytes = 1 << 20;
  http::ClientPool pool(options);
  auto response = pool.Send({.method = "GET", .url = url, .timeout = timeout});
  if (!response.ok()) {
    return Status::Error(url + ": " + response.error());
  }
  if (response->status < 200 || response->status > 299) {
    std::string body = response->body.substr(0, 300);
    return Status::Error(url + ": HTTP " + std::to_string(response->status) +
                         (body.empty() ? "" : " " + body));
  }
  return Status::Ok();
}

int RunHealthcheck(int argc, char** argv) {
  std::string url, timeout_text = "3s";
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&](const std::string& name, std::string* out) {
      if (arg == name && i + 1 < argc) {
        *out = argv[++i];
        return true;
      }
      if (arg.rfind(name + "=", 0) == 0) {
        *out = arg.substr(name.size() + 1);
        return true;
      }
      return false;
    };
    if (value("--url", &url) || value("--timeout", &timeout_text)) {
      continue;
    }
    if (arg == "--help" || arg == "-h") {
      std::cout << "usage: miniredis healthcheck --url http://127.0.0.1:PORT/readyz "
                   "[--timeout 3s]\nExit 0 when the URL answers 2xx, 1 otherwise.\n";
      return 0;
    }
    std::cerr << "miniredis healthcheck: unknown argument '" << arg << "'\n";
    return 2;
  }
  if (url.empty()) {
    std::cerr << "miniredis healthcheck: --url is required\n";
    return 2;
  }
  auto timeout = ParseDurationMillis(timeout_text);
  if (!timeout || *timeout <= 0) {
    std::cerr << "miniredis healthcheck: invalid --timeout '" << timeout_text << "'\n";
    return 2;
  }
  Status s = CheckHealth(url, std::chrono::milliseconds(*timeout));
  if (!s.ok()) {
    std::cerr << "unhealthy: " << s.message() << "\n";
    return 1;
  }
  std::cout << "healthy: " << url << "\n";
  return 0;
}

}  // namespace mr
