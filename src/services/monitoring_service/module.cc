#include "services/monitoring_service/module.h"

#include <algorithm>

#include "common/metrics.h"
#include "http/client.h"
#include "services/monitoring_service/poller.h"
#include "services/monitoring_service/routes.h"
#include "services/runtime/hosted_service.h"
#include "services/runtime/setting_lists.h"

namespace mr::services {
namespace {

using monitoring::Poller;
using monitoring::PollerOptions;
using monitoring::SeriesStore;

constexpr int64_t kMinPollIntervalMs = 100;

class MonitoringService : public HostedService {
 public:
  MonitoringService(const ServiceContext& ctx, PollerOptions poll)
      : HostedService("monitoring-service", ctx, "MONITORING_SERVICE_PORT") {
    const int64_t interval_ms = poll.interval.count();
    store_ = std::make_shared<SeriesStore>(monitoring::StoreOptions{
        .max_instances = static_cast<size_t>(ctx.config.GetInt("MONITORING_MAX_INSTANCES")),
        // A rate over a longer gap than this would spread an outage's traffic over one point.
        .max_rate_gap_ms = std::max<int64_t>(60 * 1000, 3 * interval_ms)});
    poller_ = std::make_shared<Poller>(std::move(poll), store_, host_.logger());
    monitoring::AddMonitoringRoutes(&host_.router(), store_, poller_,
                                    ctx.config.Get("INTERNAL_TOKEN"));
    // Not ready only until every node-manager has been tried once: a dead node-manager would
    // otherwise take monitoring out of load balancing for good, and serving the history the
    // others give (and reporting the dead one's freshness) is worth more than nothing.
    host_.readiness().Add("monitoring first poll", [weak = std::weak_ptr<Poller>(poller_)] {
      auto p = weak.lock();
      if (p && !p->FirstRoundDone()) {
        return Status::Error("no node-manager answered yet");
      }
      return Status::Ok();
    });
    // The registry outlives this service, so the collector holds the poller weakly.
    metrics::AddCollector([weak = std::weak_ptr<Poller>(poller_)] {
      if (auto p = weak.lock()) {
        p->RefreshGauges();
      }
    });
  }

  Status Start() override {
    // Polling first: by the time /readyz answers, the first round is usually done already.
    poller_->Start();
    Status s = HostedService::Start();
    if (!s.ok()) {
      poller_->Stop();
    }
    return s;
  }

  void Stop(std::chrono::milliseconds grace) override {
    HostedService::Stop(grace);
    poller_->Stop();
  }

 private:
  std::shared_ptr<SeriesStore> store_;
  std::shared_ptr<Poller> poller_;
};


}  // namespace

void RegisterMonitoringServiceSettings(ConfigSchema* s) {
  const std::string o = "monitoring-service";
  s->Add({"MONITORING_SERVICE_PORT", "9000", "Port of the monitoring service.", validate::Port(),
          false, o});
  s->Add({"METRICS_POLL_INTERVAL", "1s",
          "How often every node-manager's stats are polled (at least 100ms; the 1 s series tier "
          "has a point per second only when this is 1s or less).",
          [](const std::string& v) -> std::optional<std::string> {
            auto ms = ParseDurationMillis(v);
            if (!ms || *ms < kMinPollIntervalMs) {
              return "a duration of at least 100ms (examples: 500ms, 1s, 10s)";
            }
            return std::nullopt;
          },
          false, o});
  s->Add({"MONITORING_MAX_INSTANCES", "10000",
          "Most instances whose metric history is kept (about 61 KB each); further ones are "
          "counted in monitoring_instances_untracked, not stored.",
          validate::IntRange(1, 1000000), false, o});
}

Result<ServicePtr> MakeMonitoringService(const ServiceContext& ctx) {
  const Config& c = ctx.config;
  auto urls = ParseNodeManagerUrls(c.Get("NODE_MANAGER_URLS"));
  if (!urls.ok()) {
    return urls.status();
  }
  PollerOptions poll;
  poll.urls = std::move(*urls);
  poll.token = c.Get("INTERNAL_TOKEN");
  poll.interval = std::chrono::milliseconds(c.GetMillis("METRICS_POLL_INTERVAL"));
  // Below the interval so a poll never runs into the next tick; 10 s at most for long intervals.
  poll.timeout = std::min(poll.interval * 8 / 10, std::chrono::milliseconds(10000));
  return ServicePtr(std::make_unique<MonitoringService>(ctx, std::move(poll)));
}

}  // namespace mr::services
