#include "services/runtime/setting_lists.h"

#include <algorithm>

#include "http/client.h"

namespace mr::services {

std::vector<std::string> SplitList(const std::string& text) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t comma = std::min(text.find(',', pos), text.size());
    std::string item = text.substr(pos, comma - pos);
    pos = comma + 1;
    size_t b = item.find_first_not_of(" \t"), e = item.find_last_not_of(" \t");
    if (b != std::string::npos) {
      out.push_back(item.substr(b, e - b + 1));
    }
  }
  return out;
}

std::string WithoutTrailingSlash(std::string url) {
  while (!url.empty() && url.back() == '/') {
    url.pop_back();
  }
  return url;
}

Result<std::vector<std::string>> ParseNodeManagerUrls(const std::string& list) {
  std::vector<std::string> urls;
  for (std::string url : SplitList(list)) {
    url = WithoutTrailingSlash(std::move(url));
    std::string host, port, target;
    if (!http::ParseHttpUrl(url, &host, &port, &target)) {
      return Status::Error("invalid setting NODE_MANAGER_URLS: '" + url +
                           "' is not an http://host:port URL");
    }
    if (std::find(urls.begin(), urls.end(), url) == urls.end()) {
      urls.push_back(url);
    }
  }
  if (urls.empty()) {
    return Status::Error("invalid setting NODE_MANAGER_URLS: no URL");
  }
  if (urls.size() > 1000) {
    return Status::Error("invalid setting NODE_MANAGER_URLS: more than 1000 node-managers");
  }
  return urls;
}

}  // namespace mr::services
