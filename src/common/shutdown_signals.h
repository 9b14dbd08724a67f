// SIGINT/SIGTERM handling shared by every entry point: block them before any thread starts (so
// threads inherit the mask), then wait for one in the main thread.
#pragma once

namespace mr {

/// Blocks SIGINT and SIGTERM in the calling thread and ignores SIGPIPE. Call before starting threads.
void BlockShutdownSignals();
/// Waits for SIGINT or SIGTERM (blocked earlier) and returns its name.
const char* WaitForShutdownSignal();

}  // namespace mr
