#include "services/monitoring_service/poller.h"

#include <algorithm>

#include "common/metrics.h"
#include "services/monitoring_service/node_stats.h"

namespace mr::services::monitoring {

int64_t WallMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct Poller::Families {
  prometheus::Family<prometheus::Counter>& scrapes = prometheus::BuildCounter()
      .Name("monitoring_scrapes_total")
      .Help("Polls of a node-manager's /v1/stats, answered or not.")
      .Register(metrics::Registry());
  prometheus::Family<prometheus::Counter>& errors = prometheus::BuildCounter()
      .Name("monitoring_scrape_errors_total")
      .Help("Polls of a node-manager that failed (connect, timeout, HTTP status, bad body).")
      .Register(metrics::Registry());
  prometheus::Family<prometheus::Gauge>& age = prometheus::BuildGauge()
      .Name("monitoring_sample_age_seconds")
      .Help("Age of the newest successful sample of a node-manager (since start if none yet).")
      .Register(metrics::Registry());
  prometheus::Family<prometheus::Histogram>& duration = prometheus::BuildHistogram()
      .Name("monitoring_scrape_duration_seconds")
      .Help("Time one poll of a node-manager took, parsing and storing included.")
      .Register(metrics::Registry());
  prometheus::Gauge& instances = prometheus::BuildGauge()
      .Name("monitoring_instances")
      .Help("Instances whose series are kept.")
      .Register(metrics::Registry())
      .Add({});
  prometheus::Gauge& bytes = prometheus::BuildGauge()
      .Name("monitoring_series_bytes")
      .Help("Memory the kept series take (fixed size per instance).")
      .Register(metrics::Registry())
      .Add({});
  prometheus::Gauge& untracked = prometheus::BuildGauge()
      .Name("monitoring_instances_untracked")
      .Help("Instances node-managers reported but not kept (MONITORING_MAX_INSTANCES reached).")
      .Register(metrics::Registry())
      .Add({});
};

struct Poller::Node {
  uint16_t index = 0;
  prometheus::Counter* scrapes = nullptr;
  prometheus::Counter* errors = nullptr;
  prometheus::Gauge* age = nullptr;
  prometheus::Histogram* duration = nullptr;
  mutable std::mutex mu;
  NodeManagerStatus status;
  bool attempted = false;
  int64_t last_poll_done_ms = 0;      // answered or not
  int64_t last_poll_duration_ms = 0;  // request, parsing and storing
};

Poller::Poller(PollerOptions options, std::shared_ptr<SeriesStore> store, log::Logger logger)
    : options_(std::move(options)),
      store_(std::move(store)),
      logger_(std::move(logger)),
      client_(http::ClientOptions{.max_idle_per_host = 2,
                                  .connect_timeout = options_.timeout,
                                  .max_response_bytes = kMaxStatsBodyBytes}),
      metrics_(std::make_unique<Families>()),
      started_ms_(WallMs()) {
  for (size_t i = 0; i < options_.urls.size(); ++i) {
    auto node = std::make_unique<Node>();
    const std::string& url = options_.urls[i];
    prometheus::Labels labels{{"node_manager", url}};
    node->index = static_cast<uint16_t>(i);
    node->scrapes = &metrics_->scrapes.Add(labels);
    node->errors = &metrics_->errors.Add(labels);
    node->age = &metrics_->age.Add(labels);
    node->duration = &metrics_->duration.Add(labels, metrics::LatencyBuckets());
    node->status.url = url;
    nodes_.push_back(std::move(node));
  }
}

Poller::~Poller() { Stop(); }

void Poller::Start() {
  for (auto& node : nodes_) {
    threads_.emplace_back([this, n = node.get()] { Run(n); });
  }
}

void Poller::Stop() {
  {
    std::lock_guard lock(wake_mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& t : threads_) {
    if (t.joinable()) {
      t.join();
    }
  }
  threads_.clear();
}

void Poller::Run(Node* node) {
  const int64_t interval = options_.interval.count();
  std::unique_lock lock(wake_mu_);
  bool first = true;
  while (!stopping_) {
    if (!first) {
      // Ticks on multiples of the interval: with 1 s, every poll lands in its own 1 s slot.
      int64_t now = WallMs();
      auto wait = std::chrono::milliseconds((now / interval + 1) * interval - now);
      if (wake_.wait_for(lock, wait, [this] { return stopping_; })) {
        break;
      }
    }
    first = false;
    lock.unlock();
    PollOnce(node);
    lock.lock();
  }
}

void Poller::PollOnce(Node* node) {
  const auto start = std::chrono::steady_clock::now();
  http::ClientRequest req;
  req.url = node->status.url + "/v1/stats";
  req.headers["Authorization"] = "Bearer " + options_.token;
  req.timeout = options_.timeout;
  auto resp = client_.Send(req);
  const int64_t now_ms = WallMs();

  std::string error;
  SeriesStore::RecordOutcome outcome;
  size_t reported = 0;
  if (!resp.ok()) {
    error = resp.error();
  } else if (resp->status != 200) {
    error = "GET /v1/stats answered HTTP " + std::to_string(resp->status) + ": " +
            resp->body.substr(0, 200);
  } else if (auto stats = ParseNodeStats(resp->body); !stats.ok()) {
    error = stats.error();
  } else {
    int64_t previous_success = 0;
    {
      std::lock_guard lock(node->mu);
      previous_success = node->status.last_success_ms;
    }
    outcome = store_->Record(node->index, now_ms, stats->instances, previous_success);
    reported = stats->instances.size();
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  node->scrapes->Increment();
  node->duration->Observe(seconds);
  if (!error.empty()) {
    node->errors->Increment();
  }

  bool was_failing = false, first_attempt = false;
  {
    std::lock_guard lock(node->mu);
    NodeManagerStatus& s = node->status;
    was_failing = !s.last_error.empty();
    first_attempt = !node->attempted;
    node->attempted = true;
    node->last_poll_done_ms = WallMs();
    node->last_poll_duration_ms = static_cast<int64_t>(seconds * 1000.0);
    ++s.scrapes;
    if (error.empty()) {
      s.last_success_ms = now_ms;
      s.instances = reported;
      s.untracked = outcome.refused;
      s.last_error.clear();
    } else {
      ++s.errors;
      s.last_error = error;
    }
  }
  if (first_attempt) {
    attempted_.fetch_add(1);
  }
  // One line per change of state, not one per failed second.
  if (!error.empty() && (!was_failing || first_attempt)) {
    logger_.Warn("node-manager poll failed", {},
                 {{"node_manager", node->status.url}, {"error", error}});
  } else if (error.empty() && was_failing) {
    logger_.Info("node-manager poll recovered", {}, {{"node_manager", node->status.url}});
  }
  if (outcome.refused > 0 && !cap_logged_.exchange(true)) {
    logger_.Warn("MONITORING_MAX_INSTANCES reached: further instances are not kept", {},
                 {{"node_manager", node->status.url},
                  {"refused", std::to_string(outcome.refused)},
                  {"kept", std::to_string(store_->instances())}});
  }
  MaybeDropUnseen(now_ms);
}

void Poller::MaybeDropUnseen(int64_t now_ms) {
  constexpr int64_t kEveryMs = 60 * 1000;
  int64_t last = last_drop_ms_.load();
  if (now_ms - last < kEveryMs || !last_drop_ms_.compare_exchange_strong(last, now_ms)) {
    return;
  }
  if (size_t dropped = store_->DropUnseen(now_ms); dropped > 0) {
    logger_.Info("dropped series of instances unseen for 24 h", {},
                 {{"count", std::to_string(dropped)}});
  }
}

int64_t Poller::NextSampleInMs(uint16_t source, int64_t now_ms) const {
  if (source >= nodes_.size()) {
    return options_.interval.count();
  }
  const Node& node = *nodes_[source];
  std::lock_guard lock(node.mu);
  return NextSampleDelayMs(now_ms, options_.interval.count(), node.last_poll_done_ms,
                           node.last_poll_duration_ms, options_.timeout.count());
}

int64_t NextSampleDelayMs(int64_t now_ms, int64_t interval_ms, int64_t last_poll_done_ms,
                          int64_t last_poll_duration_ms, int64_t timeout_ms) {
  const int64_t tick = now_ms - now_ms % interval_ms;
  const bool this_tick_running = last_poll_done_ms < tick && now_ms - tick < timeout_ms;
  const int64_t expected = (this_tick_running ? tick : tick + interval_ms) + last_poll_duration_ms;
  return std::max<int64_t>(0, expected - now_ms);
}

std::vector<NodeManagerStatus> Poller::Status() const {
  std::vector<NodeManagerStatus> out;
  out.reserve(nodes_.size());
  for (const auto& node : nodes_) {
    std::lock_guard lock(node->mu);
    out.push_back(node->status);
  }
  return out;
}

void Poller::RefreshGauges() {
  const int64_t now = WallMs();
  size_t untracked = 0;
  for (const auto& node : nodes_) {
    std::lock_guard lock(node->mu);
    int64_t since = node->status.last_success_ms ? node->status.last_success_ms : started_ms_;
    node->age->Set(static_cast<double>(std::max<int64_t>(0, now - since)) / 1000.0);
    untracked += node->status.untracked;
  }
  metrics_->instances.Set(static_cast<double>(store_->instances()));
  metrics_->bytes.Set(static_cast<double>(store_->bytes()));
  metrics_->untracked.Set(static_cast<double>(untracked));
}

}  // namespace mr::services::monitoring
