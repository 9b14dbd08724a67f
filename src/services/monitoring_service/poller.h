// Polls every node-manager's GET /v1/stats on its own thread, on ticks aligned to the poll
// interval, and feeds the samples to the series store; keeps each node-manager's freshness and
// errors for the API and for /metrics. A slow or dead node-manager delays only its own thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/log.h"
#include "http/client.h"
#include "services/monitoring_service/series_store.h"

namespace mr::services::monitoring {

struct PollerOptions {
  std::vector<std::string> urls;  // node-manager base URLs, without a trailing slash
  std::string token;              // INTERNAL_TOKEN
  std::chrono::milliseconds interval{1000};
  std::chrono::milliseconds timeout{800};  // below the interval: a poll never overlaps the next
};

/// One node-manager as the monitoring API reports it.
struct NodeManagerStatus {
  std::string url;
  int64_t last_success_ms = 0;  // 0: never answered
  uint64_t scrapes = 0;
  uint64_t errors = 0;
  std::string last_error;      // empty once a poll succeeds again
  size_t instances = 0;        // in its last successful answer
  size_t untracked = 0;        // of those, refused by MONITORING_MAX_INSTANCES
};

class Poller {
 public:
  Poller(PollerOptions options, std::shared_ptr<SeriesStore> store, log::Logger logger);
  ~Poller();
  Poller(const Poller&) = delete;
  Poller& operator=(const Poller&) = delete;

  void Start();
  void Stop();

  std::vector<NodeManagerStatus> Status() const;
  const std::string& url(uint16_t source) const { return options_.urls.at(source); }
  /// True once every node-manager has been polled at least once, answered or not.
  bool FirstRoundDone() const { return attempted_.load() >= options_.urls.size(); }
  /// Updates the gauges read at scrape time (sample age, instances, bytes).
  void RefreshGauges();
  /// Milliseconds until node-manager `source`'s next sample should be stored, so a chart can
  /// fetch right after it instead of up to a whole interval late.
  int64_t NextSampleInMs(uint16_t source, int64_t now_ms) const;

 private:
  struct Node;
  struct Families;
  void Run(Node* node);
  void PollOnce(Node* node);
  void MaybeDropUnseen(int64_t now_ms);

  const PollerOptions options_;
  std::shared_ptr<SeriesStore> store_;
  log::Logger logger_;
  http::ClientPool client_;
  std::unique_ptr<Families> metrics_;
  std::vector<std::unique_ptr<Node>> nodes_;
  const int64_t started_ms_;
  std::atomic<size_t> attempted_{0};
  std::atomic<int64_t> last_drop_ms_{0};
  std::atomic<bool> cap_logged_{false};

  std::mutex wake_mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

/// Milliseconds since the Unix epoch (the series' clock).
int64_t WallMs();

/// When the next sample of a node-manager polled on ticks of `interval_ms` lands, from now:
/// the tick after `now_ms` plus how long its last poll took, or this tick's poll still running
/// (no poll finished since the tick, and the tick is younger than `timeout_ms`).
int64_t NextSampleDelayMs(int64_t now_ms, int64_t interval_ms, int64_t last_poll_done_ms,
                          int64_t last_poll_duration_ms, int64_t timeout_ms);

}  // namespace mr::services::monitoring
