// Settings that hold lists or base URLs (CORS_ORIGIN, NODE_MANAGER_URLS, *_URL): parsed the same
// way by every service that reads them.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"

namespace mr::services {

/// "a, b,,c" -> {"a", "b", "c"}: comma-separated, trimmed, empty items dropped.
std::vector<std::string> SplitList(const std::string& text);

/// A base URL without the trailing '/' (so base + "/v1/..." has one slash).
std::string WithoutTrailingSlash(std::string url);

/// NODE_MANAGER_URLS: http://host:port base URLs, without trailing '/', duplicates dropped; an
/// error naming the setting for anything else, an empty list, or over 1000 entries.
Result<std::vector<std::string>> ParseNodeManagerUrls(const std::string& list);

}  // namespace mr::services
