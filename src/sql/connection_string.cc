#include "sql/connection_string.h"

#include <filesystem>

namespace mr::sql {
namespace {

bool StartsWith(const std::string& s, std::string_view prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

std::string UnderDataDir(const std::string& path, const std::string& data_dir) {
  std::filesystem::path p(path);
  if (p.is_absolute() || data_dir.empty()) {
    return p.lexically_normal().string();
  }
  return (std::filesystem::path(data_dir) / p).lexically_normal().string();
}

// Replaces the value of every `password=` parameter (URI query or key=value conninfo).
std::string RedactPasswordParams(std::string s) {
  static constexpr std::string_view kKey = "password=";
  size_t pos = 0;
  while ((pos = s.find(kKey, pos)) != std::string::npos) {
    bool at_boundary = pos == 0 || s[pos - 1] == '?' || s[pos - 1] == '&' || s[pos - 1] == ' ';
    size_t start = pos + kKey.size();
    if (!at_boundary) {
      pos = start;
      continue;
    }
    size_t end = start;
    if (end < s.size() && s[end] == '\'') {  // conninfo quoting: password='a b'
      end = s.find('\'', end + 1);
      end = end == std::string::npos ? s.size() : end + 1;
    } else {
      while (end < s.size() && s[end] != '&' && s[end] != ' ') {
        ++end;
      }
    }
    s.replace(start, end - start, "***");
    pos = start + 3;
  }
  return s;
}

}  // namespace

std::string Redact(const std::string& url) {
  std::string out = url;
  size_t scheme_end = out.find("://");
  if (scheme_end != std::string::npos) {
    size_t auth_start = scheme_end + 3;
    size_t auth_end = out.find_first_of("/?#", auth_start);
    if (auth_end == std::string::npos) {
      auth_end = out.size();
    }
    // The last '@' of the authority ends the userinfo (a password may itself contain '@').
    size_t at = out.rfind('@', auth_end == 0 ? 0 : auth_end - 1);
    if (at != std::string::npos && at >= auth_start) {
      size_t colon = out.find(':', auth_start);
      if (colon != std::string::npos && colon < at) {
        out.replace(colon + 1, at - colon - 1, "***");
      }
    }
  }
  return RedactPasswordParams(std::move(out));
}

Result<ConnectionTarget> ParseConnectionString(const std::string& url,
                                               const std::string& data_dir) {
  ConnectionTarget t;
  if (url.empty()) {
    return Status::Error(ErrorKind::kInvalid, "empty database connection string");
  }
  if (StartsWith(url, "postgresql://") || StartsWith(url, "postgres://")) {
    t.engine = Engine::kPostgres;
    t.postgres_conninfo = url;
    return t;
  }
  if (StartsWith(url, "sqlite://")) {
    std::string path = url.substr(9);
    if (path.empty() || path[0] != '/') {
      return Status::Error(ErrorKind::kInvalid,
                           "database connection string '" + Redact(url) +
                               "': sqlite:// needs an absolute path (sqlite:///abs/file.db); "
                               "use sqlite:relative.db for a file under DATA_DIR");
    }
    t.sqlite_path = std::filesystem::path(path).lexically_normal().string();
    return t;
  }
  if (StartsWith(url, "sqlite:")) {
    std::string path = url.substr(7);
    if (path.empty()) {
      return Status::Error(ErrorKind::kInvalid,
                           "database connection string 'sqlite:' names no file");
    }
    t.sqlite_path = UnderDataDir(path, data_dir);
    return t;
  }
  size_t scheme = url.find("://");
  if (scheme != std::string::npos) {
    return Status::Error(ErrorKind::kInvalid,
                         "database connection string '" + Redact(url) + "': unsupported scheme '" +
                             url.substr(0, scheme) + "' (use sqlite: or postgresql://)");
  }
  t.sqlite_path = UnderDataDir(url, data_dir);
  return t;
}

std::string_view KindName(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kNone: return "ok";
    case ErrorKind::kUnavailable: return "unavailable";
    case ErrorKind::kUniqueViolation: return "unique_violation";
    case ErrorKind::kConstraint: return "constraint";
    case ErrorKind::kInvalid: return "invalid";
    case ErrorKind::kMigration: return "migration";
    case ErrorKind::kInternal: return "internal";
  }
  return "internal";
}

}  // namespace mr::sql
