#include "services/runtime/service_token.h"

#include "security/instance_password.h"

namespace mr::services {

http::Middleware RequireServiceToken(std::string token, std::string prefix) {
  return [token = std::move(token), prefix = std::move(prefix)](http::Request& req,
                                                                const http::Handler& next) {
    if (req.path.rfind(prefix, 0) != 0) {
      return next(req);
    }
    std::string auth = req.Header("Authorization");
    std::string presented = auth.rfind("Bearer ", 0) == 0 ? auth.substr(7) : "";
    if (token.empty() || !ConstantTimeEquals(presented, token)) {
      return http::JsonError(401, "unauthorized", "a valid service token is required",
                             req.request_id);
    }
    return next(req);
  };
}

}  // namespace mr::services
