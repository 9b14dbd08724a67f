// `miniredis server`: one Redis-compatible instance on one port, like redis-server (used by the
// benchmarks and the compatibility tests).
#pragma once

namespace mr {

/// argv[0] is "server". Returns the process exit code.
int RunRedisServer(int argc, char** argv);

}  // namespace mr
