// Serves a built single-page app from memory: long-lived caching for hashed assets, no-cache for
// index.html, SPA fallback for client-side routes, and a strict Content-Security-Policy.
#pragma once

#include <map>
#include <string>

#include "common/status.h"
#include "http/message.h"

namespace mr::services {

class StaticSite {
 public:
  /// Loads every file under `root` (a Vite build: index.html + assets/). `api_origin` is allowed
  /// in the CSP's connect-src because the console calls the gateway on another port.
  static Result<StaticSite> Load(const std::string& root, const std::string& api_origin);

  /// A one-page site (the built-in placeholder shown until the console is built).
  static StaticSite FromIndex(std::string html, const std::string& api_origin);

  http::Response Serve(const http::Request& req) const;
  size_t file_count() const { return files_.size(); }

 private:
  struct File {
    std::string body;
    std::string gzip;  // precompressed sibling (name.gz) when the build has one
    std::string content_type;
  };
  http::Response Respond(const std::string& path, const File& f, const http::Request& req) const;

  static std::string Csp(const std::string& api_origin);

  std::map<std::string, File> files_;  // "/index.html" -> file
  std::string csp_;
};

std::string ContentTypeFor(const std::string& path);

}  // namespace mr::services
