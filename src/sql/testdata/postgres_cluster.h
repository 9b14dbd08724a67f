// Test support: a throwaway PostgreSQL 15 cluster (Debian's initdb/pg_ctl) in a temp folder on a
// free loopback port with trust auth, started on first use and stopped by PID when the process
// exits (or, if the test crashes, by a watchdog child).
#pragma once

#include <cstdint>
#include <string>

#include "sql/error.h"

namespace mr::sql::testing {

class PostgresCluster {
 public:
  /// The process' cluster; the first call starts it (about a second).
  static PostgresCluster& Shared();
  ~PostgresCluster();

  bool ok() const { return error_.empty(); }
  /// Why the cluster did not start (with the server log's tail).
  const std::string& error() const { return error_; }
  uint16_t port() const { return port_; }
  std::string Url(const std::string& database) const;
  /// Creates an empty database with a fresh name and returns the name.
  Result<std::string> CreateDatabase();

 private:
  PostgresCluster();
  bool Start();
  void Stop();

  std::string dir_;
  uint16_t port_ = 0;
  std::string error_;
  int created_ = 0;
};

/// A loopback TCP port nobody listens on right now.
uint16_t FreePort();

}  // namespace mr::sql::testing
