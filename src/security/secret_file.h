// Files that hold secrets: written atomically with mode 0600, refused on read when other users can
// read them. Error messages name the file, never its contents.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "common/status.h"

namespace mr::security {

enum class IfExists { kReplace, kKeep };

/// Writes `path` through a temporary file + fsync + rename; creates the parent directory (0700).
/// With IfExists::kKeep an existing file wins (two processes creating keys at once agree on one);
/// the loser gets an error and `*kept` (when given) is set.
Status WriteSecretFile(const std::filesystem::path& path, std::string_view contents,
                       IfExists if_exists = IfExists::kReplace, bool* kept = nullptr);
/// Reads `path`; fails when it is a symlink, not a regular file, or readable by "other" users.
/// Group bits are tolerated: Kubernetes' fsGroup adds them to every file of a volume.
Result<std::string> ReadSecretFile(const std::filesystem::path& path);

}  // namespace mr::security
