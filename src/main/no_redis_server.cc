// `miniredis-frontend` (the frontend image's thin executable) has no engine: `server` says so.
#include <iostream>

#include "main/redis_server_main.h"

namespace mr {

int RunRedisServer(int, char**) {
  std::cerr << "miniredis: `server` is not part of this executable (use the full miniredis)\n";
  return 2;
}

}  // namespace mr
