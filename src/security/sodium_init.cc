#include "security/sodium_init.h"

#include <sodium.h>

#include <cstdio>
#include <cstdlib>

namespace mr::security {

void EnsureSodium() {
  static const bool ready = [] {
    if (sodium_init() < 0) {
      std::fputs("fatal: libsodium failed to initialise (no secure random source?)\n", stderr);
      std::abort();
    }
    return true;
  }();
  (void)ready;
}

}  // namespace mr::security
