#include "http/router.h"

#include <algorithm>

namespace mr::http {
namespace {

std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> parts;
  while (!path.empty()) {
    if (path[0] == '/') {
      path.remove_prefix(1);
      continue;
    }
    size_t slash = path.find('/');
    parts.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) {
      break;
    }
    path.remove_prefix(slash);
  }
  return parts;
}

}  // namespace

void Router::Add(std::string method, std::string pattern, Handler handler, RouteOptions opts) {
  Route r{std::move(method), std::move(pattern), {}, std::move(handler), opts};
  for (auto part : SplitPath(r.pattern)) {
    r.segments.emplace_back(part);
  }
  routes_.push_back(std::move(r));
}

void Router::SetFallback(Handler handler, RouteOptions opts) {
  fallback_ = std::move(handler);
  fallback_options_ = opts;
}

bool Router::MatchSegments(const Route& route, const std::vector<std::string_view>& parts,
                           std::map<std::string, std::string>* params) {
  const auto& segs = route.segments;
  bool wildcard = !segs.empty() && segs.back() == "*";
  size_t fixed = wildcard ? segs.size() - 1 : segs.size();
  if (wildcard ? parts.size() < fixed : parts.size() != fixed) {
    return false;
  }
  for (size_t i = 0; i < fixed; ++i) {
    const std::string& s = segs[i];
    if (s.size() > 2 && s.front() == '{' && s.back() == '}') {
      if (parts[i].empty()) {
        return false;
      }
      (*params)[s.substr(1, s.size() - 2)] = PercentDecode(parts[i]);
    } else if (s != parts[i]) {
      return false;
    }
  }
  return true;
}

Router::Match Router::Find(Request* req) const {
  Match m;
  auto parts = SplitPath(req->path);
  for (const auto& r : routes_) {
    std::map<std::string, std::string> params;
    if (!MatchSegments(r, parts, &params)) {
      continue;
    }
    bool method_ok = r.method == req->method || (r.method == "GET" && req->method == "HEAD");
    if (!method_ok) {
      if (std::find(m.allowed.begin(), m.allowed.end(), r.method) == m.allowed.end()) {
        m.allowed.push_back(r.method);
      }
      continue;
    }
    req->params = std::move(params);
    req->route = r.pattern;
    m.handler = &r.handler;
    m.options = r.options;
    m.pattern = r.pattern;
    return m;
  }
  if (m.allowed.empty() && fallback_) {
    req->route = "fallback";
    m.handler = &fallback_;
    m.options = fallback_options_;
    m.pattern = "fallback";
  }
  return m;
}

Response Router::Handle(Request& req, const Match& m) const {
  Handler terminal;
  if (m.handler != nullptr) {
    terminal = *m.handler;
  } else if (!m.allowed.empty()) {
    req.route = "method_not_allowed";
    std::string allow;
    for (const auto& a : m.allowed) {
      allow += (allow.empty() ? "" : ", ") + a;
    }
    terminal = [allow](Request& r) {
      auto resp = JsonError(405, "method_not_allowed",
                            "method " + r.method + " is not allowed on " + r.path, r.request_id);
      resp.headers["Allow"] = allow;
      return resp;
    };
  } else {
    req.route = "not_found";
    terminal = [](Request& r) {
      return JsonError(404, "not_found", "no route for " + r.method + " " + r.path, r.request_id);
    };
  }
  return RunChain(0, req, terminal);
}

Response Router::RunChain(size_t index, Request& req, const Handler& terminal) const {
  if (index == middleware_.size()) {
    return terminal(req);
  }
  // Two words of capture keep std::function in its small buffer: no allocation per layer.
  struct Rest {
    const Router* router;
    const Handler* terminal;
  } rest{this, &terminal};
  const Rest* rp = &rest;
  Handler next = [rp, index](Request& r) { return rp->router->RunChain(index + 1, r, *rp->terminal); };
  return middleware_[index](req, next);
}

}  // namespace mr::http
