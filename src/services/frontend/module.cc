#include "services/frontend/module.h"

#include "common/log.h"
#include "services/frontend/placeholder_page.h"
#include "services/frontend/static_site.h"
#include "services/runtime/hosted_service.h"

namespace mr::services {
namespace {

class Frontend : public HostedService {
 public:
  Frontend(const ServiceContext& ctx, StaticSite site, std::string api_url)
      : HostedService("frontend", ctx, "FRONTEND_PORT"), site_(std::move(site)) {
    // The console reads where the API lives at run time, so one build serves every deployment.
    std::string config = R"({"api_url":")";
    log::AppendJsonEscaped(&config, api_url);
    config += "\"}";
    host_.router().Get("/config.json", [config](http::Request&) {
      auto r = http::Response::Json(200, config);
      r.headers["Cache-Control"] = "no-cache";
      return r;
    }, {.inline_handler = true});
    host_.router().SetFallback([this](http::Request& r) { return site_.Serve(r); },
                               {.inline_handler = true});
  }

 private:
  StaticSite site_;
};

}  // namespace

void RegisterFrontendSettings(ConfigSchema* s) {
  const std::string o = "frontend";
  s->Add({"FRONTEND_PORT", "5173", "Port serving the web console.", validate::Port(), false, o});
  s->Add({"FRONTEND_DIST_DIR", "web/dist",
          "The console's production build; a built-in placeholder page is served when it is missing.",
          validate::NonEmpty(), false, o});
  s->Add({"PUBLIC_API_URL", "http://localhost:8080",
          "The gateway's URL as browsers reach it (console config and CSP connect-src).",
          validate::Url(), false, o});
}

Result<ServicePtr> MakeFrontend(const ServiceContext& ctx) {
  std::string dist = ctx.config.Get("FRONTEND_DIST_DIR");
  std::string api = ctx.config.Get("PUBLIC_API_URL");
  auto site = StaticSite::Load(dist, api);
  if (!site.ok()) {
    // A fresh checkout has no console build: serve the labelled placeholder compiled in.
    log::Logger("frontend").Warn("console build missing; serving the placeholder page", {},
                                 {{"dist", dist}, {"reason", site.error()}});
    site = StaticSite::FromIndex(kPlaceholderPage, api);
  }
  return ServicePtr(std::make_unique<Frontend>(ctx, std::move(*site), api));
}

}  // namespace mr::services
