// Routes requests by method and path pattern (`/v1/instances/{id}`) to handlers, and runs the
// middleware chain around them. Unknown path: 404; known path, other method: 405 with Allow.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "http/message.h"

namespace mr::http {

using Handler = std::function<Response(Request&)>;
/// A middleware gets the request and the rest of the chain; it may answer without calling `next`.
using Middleware = std::function<Response(Request&, const Handler& next)>;

struct RouteOptions {
  /// Inline handlers run on the I/O thread (cheap, non-blocking work: health, metrics, static
  /// files). Others run on the server's worker pool, so they may block (SQL, outbound calls).
  bool inline_handler = false;
};

class Router {
 public:
  void Add(std::string method, std::string pattern, Handler handler, RouteOptions opts = {});
  void Get(std::string pattern, Handler h, RouteOptions o = {}) { Add("GET", std::move(pattern), std::move(h), o); }
  void Post(std::string pattern, Handler h, RouteOptions o = {}) { Add("POST", std::move(pattern), std::move(h), o); }
  void Put(std::string pattern, Handler h, RouteOptions o = {}) { Add("PUT", std::move(pattern), std::move(h), o); }
  void Delete(std::string pattern, Handler h, RouteOptions o = {}) { Add("DELETE", std::move(pattern), std::move(h), o); }
  void Patch(std::string pattern, Handler h, RouteOptions o = {}) { Add("PATCH", std::move(pattern), std::move(h), o); }
  /// Handles every path no route matches (e.g. a static site's SPA fallback) instead of a 404.
  void SetFallback(Handler handler, RouteOptions opts = {});
  void Use(Middleware middleware) { middleware_.push_back(std::move(middleware)); }

  struct Match {
    const Handler* handler = nullptr;  // null: no route for this method/path
    RouteOptions options;
    std::string pattern;
    std::vector<std::string> allowed;  // methods of a path that matched without this method
  };
  /// Finds the route; fills `req->params` and `req->route`.
  Match Find(Request* req) const;

  /// Finds the route and runs it through the middleware (404/405 answers go through it too).
  Response Handle(Request& req) const { return Handle(req, Find(&req)); }
  /// Runs a route already found with Find (the server looks once to pick the thread, then runs).
  Response Handle(Request& req, const Match& match) const;

 private:
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments;  // "{name}" marks a parameter, "*" a trailing wildcard
    Handler handler;
    RouteOptions options;
  };
  Response RunChain(size_t index, Request& req, const Handler& terminal) const;
  static bool MatchSegments(const Route& route, const std::vector<std::string_view>& parts,
                            std::map<std::string, std::string>* params);

  std::vector<Route> routes_;
  std::vector<Middleware> middleware_;
  Handler fallback_;
  RouteOptions fallback_options_;
};

}  // namespace mr::http
