// Internal: libsodium must be initialised once before any of its functions run (thread-safe).
#pragma once

namespace mr::security {

/// Aborts when libsodium cannot initialise: no secure random source means no safe operation.
void EnsureSodium();

}  // namespace mr::security
