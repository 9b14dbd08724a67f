// Runs the selected service modules: creates them from config, starts them in dependency order,
// waits for SIGTERM/SIGINT, and stops them in reverse order within the grace period.
#pragma once

#include <string>
#include <vector>

#include "common/config.h"

namespace mr {

/// Returns the process exit code (0 after a clean shutdown). The caller must have called
/// BlockShutdownSignals before any thread started.
int RunPlatform(const Config& config, const std::vector<std::string>& start_order);

/// Creates DATA_DIR if needed and proves it writable; the error names the setting and the path.
Status PrepareDataDir(const std::string& dir);

}  // namespace mr
