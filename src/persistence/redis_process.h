// Test support: a real redis-server started on a free loopback port and stopped by PID, and
// redis-cli runs against it. Tests that need Redis fail (never skip) when it is not installed.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace mr::persistence::testing {

/// Full path of `program` on PATH, or empty.
std::string FindOnPath(const std::string& program);

/// One command in RESP form, for redis-cli --pipe (binary-safe, unlike command-line arguments).
std::string RespCommand(const std::vector<std::string_view>& args);

class RedisProcess {
 public:
  /// Starts `redis-server --dir dir --dbfilename dbfilename` plus `extra_args`, waits until it
  /// answers PING. Fails with the server's log when it exits early (e.g. it refused the dump).
  static Result<std::unique_ptr<RedisProcess>> Start(const std::string& dir,
                                                     const std::string& dbfilename,
                                                     const std::vector<std::string>& extra_args);
  ~RedisProcess();  // SIGTERM, then SIGKILL after 10 s; waits for the process

  int port() const { return port_; }
  std::string Log() const;

  /// Runs redis-cli against this server; returns its stdout (error on a non-zero exit status).
  Result<std::string> Cli(const std::vector<std::string>& args) const;
  /// Feeds RESP commands through `redis-cli --pipe`; fails if any reply was an error.
  Status Pipe(std::string_view commands) const;

 private:
  RedisProcess(pid_t pid, int port, std::string dir) : pid_(pid), port_(port), dir_(dir) {}

  pid_t pid_;
  int port_;
  std::string dir_;
};

/// Runs `argv` with stdin from `input`; returns stdout, or an error with stderr and exit status.
Result<std::string> RunProgram(const std::vector<std::string>& argv, std::string_view input = {});

}  // namespace mr::persistence::testing
