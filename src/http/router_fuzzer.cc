// libFuzzer target for the router and query parsing: arbitrary paths, methods and query strings
// must route to a handler, a 404 or a 405, never crash, and parameters must be non-empty.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "http/router.h"

namespace {

const mr::http::Router& TheRouter() {
  static mr::http::Router* router = [] {
    auto* r = new mr::http::Router();
    auto ok = [](mr::http::Request& req) {
      for (const auto& [k, v] : req.params) {
        if (v.empty()) {
          std::abort();
        }
      }
      return mr::http::Response::Text(200, "ok");
    };
    r->Get("/v1/instances/{id}", ok);
    r->Post("/v1/instances/{id}/exec", ok);
    r->Get("/assets/*", ok);
    r->Put("/v1/{a}/{b}/{c}", ok);
    return r;
  }();
  return *router;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string in(reinterpret_cast<const char*>(data), size);
  size_t sp = in.find(' ');
  mr::http::Request req;
  req.method = sp == std::string::npos ? "GET" : in.substr(0, sp);
  req.target = sp == std::string::npos ? in : in.substr(sp + 1);
  size_t q = req.target.find('?');
  req.path = req.target.substr(0, q);
  if (q != std::string::npos) {
    req.query = mr::http::ParseQuery(std::string_view(req.target).substr(q + 1));
  }
  auto resp = TheRouter().Handle(req);
  if (resp.status != 200 && resp.status != 404 && resp.status != 405) {
    std::abort();
  }
  return 0;
}
