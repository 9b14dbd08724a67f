#include "services/frontend/static_site.h"

#include <filesystem>
#include <fstream>

namespace mr::services {
namespace fs = std::filesystem;

namespace {

constexpr size_t kMaxSiteBytes = 64 << 20;  // a console build is a few MB; refuse surprises

bool ReadFile(const fs::path& p, std::string* out) {
  std::ifstream in(p, std::ios::binary);
  if (!in) {
    return false;
  }
  out->assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return true;
}

bool HasExtension(const std::string& path) {
  size_t slash = path.rfind('/');
  return path.find('.', slash == std::string::npos ? 0 : slash) != std::string::npos;
}

}  // namespace

std::string ContentTypeFor(const std::string& path) {
  static const std::map<std::string, std::string> kTypes = {
      {".html", "text/html; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"}, {".css", "text/css; charset=utf-8"},
      {".json", "application/json"}, {".svg", "image/svg+xml"}, {".png", "image/png"},
      {".ico", "image/x-icon"}, {".woff2", "font/woff2"}, {".woff", "font/woff"},
      {".txt", "text/plain; charset=utf-8"}, {".map", "application/json"},
      {".webmanifest", "application/manifest+json"}};
  auto it = kTypes.find(fs::path(path).extension().string());
  return it == kTypes.end() ? "application/octet-stream" : it->second;
}

Result<StaticSite> StaticSite::Load(const std::string& root, const std::string& api_origin) {
  StaticSite site;
  std::error_code ec;
  if (!fs::is_regular_file(fs::path(root) / "index.html", ec)) {
    return Status::Error("frontend: " + root + "/index.html not found (build the console first)");
  }
  size_t total = 0;
  for (auto it = fs::recursive_directory_iterator(root, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file()) {
      continue;
    }
    std::string rel = "/" + fs::relative(it->path(), root).generic_string();
    std::string body;
    if (!ReadFile(it->path(), &body)) {
      return Status::Error("frontend: cannot read " + it->path().string());
    }
    total += body.size();
    if (total > kMaxSiteBytes) {
      return Status::Error("frontend: " + root + " holds more than 64 MB; is it a console build?");
    }
    if (rel.size() > 3 && rel.substr(rel.size() - 3) == ".gz") {
      site.files_[rel.substr(0, rel.size() - 3)].gzip = std::move(body);
      continue;
    }
    File& f = site.files_[rel];
    f.body = std::move(body);
    f.content_type = ContentTypeFor(rel);
  }
  if (ec) {
    return Status::Error("frontend: cannot list " + root + ": " + ec.message());
  }
  // Drop .gz entries that had no original next to them.
  std::erase_if(site.files_, [](const auto& kv) { return kv.second.content_type.empty(); });
  site.csp_ = Csp(api_origin);
  return site;
}

StaticSite StaticSite::FromIndex(std::string html, const std::string& api_origin) {
  StaticSite site;
  site.files_["/index.html"] = File{std::move(html), "", "text/html; charset=utf-8"};
  site.csp_ = Csp(api_origin);
  return site;
}

std::string StaticSite::Csp(const std::string& api_origin) {
  return "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
         "img-src 'self' data:; font-src 'self'; connect-src 'self' " + api_origin +
         "; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";
}

http::Response StaticSite::Respond(const std::string& path, const File& f,
                                   const http::Request& req) const {
  http::Response r;
  r.status = 200;
  bool gzip_ok = !f.gzip.empty() && req.Header("Accept-Encoding").find("gzip") != std::string::npos;
  r.body = gzip_ok ? f.gzip : f.body;
  if (gzip_ok) {
    r.headers["Content-Encoding"] = "gzip";
  }
  if (!f.gzip.empty()) {
    r.headers["Vary"] = "Accept-Encoding";
  }
  r.headers["Content-Type"] = f.content_type;
  // Vite names files under assets/ by content hash, so they never change: cache for a year.
  bool hashed = path.rfind("/assets/", 0) == 0;
  r.headers["Cache-Control"] = hashed ? "public, max-age=31536000, immutable" : "no-cache";
  r.headers["Content-Security-Policy"] = csp_;
  r.headers["X-Content-Type-Options"] = "nosniff";
  r.headers["X-Frame-Options"] = "DENY";
  r.headers["Referrer-Policy"] = "strict-origin-when-cross-origin";
  return r;
}

http::Response StaticSite::Serve(const http::Request& req) const {
  if (req.method != "GET" && req.method != "HEAD") {
    auto r = http::JsonError(405, "method_not_allowed", "the console is read-only",
                             req.request_id);
    r.headers["Allow"] = "GET, HEAD";
    return r;
  }
  // Paths are looked up in the in-memory map, never on disk, so "../" cannot escape the root.
  std::string path = http::PercentDecode(req.path);
  if (path.empty() || path == "/") {
    path = "/index.html";
  }
  if (auto it = files_.find(path); it != files_.end()) {
    return Respond(path, it->second, req);
  }
  // Client-side routes (/instances/abc) get the app; missing files with an extension get a 404.
  if (!HasExtension(path)) {
    return Respond("/index.html", files_.at("/index.html"), req);
  }
  return http::JsonError(404, "not_found", "no file " + path, req.request_id);
}

}  // namespace mr::services
