#include "common/metrics.h"

#include <prometheus/text_serializer.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <vector>

namespace mr::metrics {
namespace {

struct ProcessMetrics {
  prometheus::Counter& cpu;
  prometheus::Gauge& rss;
  prometheus::Gauge& vsize;
  prometheus::Gauge& fds;
  prometheus::Gauge& threads;
  prometheus::Gauge& start_time;
  double last_cpu = 0;
  std::mutex mu;

  explicit ProcessMetrics(prometheus::Registry& r)
      : cpu(prometheus::BuildCounter().Name("process_cpu_seconds_total")
                .Help("Total user and system CPU time spent in seconds.").Register(r).Add({})),
        rss(prometheus::BuildGauge().Name("process_resident_memory_bytes")
                .Help("Resident memory size in bytes.").Register(r).Add({})),
        vsize(prometheus::BuildGauge().Name("process_virtual_memory_bytes")
                  .Help("Virtual memory size in bytes.").Register(r).Add({})),
        fds(prometheus::BuildGauge().Name("process_open_fds")
                .Help("Number of open file descriptors.").Register(r).Add({})),
        threads(prometheus::BuildGauge().Name("process_threads")
                    .Help("Number of OS threads in the process.").Register(r).Add({})),
        start_time(prometheus::BuildGauge().Name("process_start_time_seconds")
                       .Help("Start time of the process since unix epoch in seconds.")
                       .Register(r).Add({})) {
    start_time.Set(std::chrono::duration<double>(
                       std::chrono::system_clock::now().time_since_epoch()).count());
  }

  // Reads /proc/self/stat fields 14-15 (utime, stime), 20 (threads), 23-24 (vsize, rss pages).
  void Refresh() {
    std::lock_guard lock(mu);
    std::ifstream in("/proc/self/stat");
    std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    size_t close = content.rfind(')');
    if (close == std::string::npos) {
      return;
    }
    std::istringstream fields(content.substr(close + 2));
    std::string f[24];
    for (auto& x : f) {
      fields >> x;
    }
    // After the command name, field index i corresponds to stat field i + 3.
    double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
    double cpu_now = (std::stod(f[11]) + std::stod(f[12])) / ticks;
    if (cpu_now > last_cpu) {
      cpu.Increment(cpu_now - last_cpu);
      last_cpu = cpu_now;
    }
    threads.Set(std::stod(f[17]));
    vsize.Set(std::stod(f[20]));
    rss.Set(std::stod(f[21]) * static_cast<double>(sysconf(_SC_PAGESIZE)));
    std::error_code ec;
    size_t n = 0;
    for (auto it = std::filesystem::directory_iterator("/proc/self/fd", ec);
         !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
      ++n;
    }
    fds.Set(static_cast<double>(n));
  }
};

ProcessMetrics& Process() {
  static ProcessMetrics p(Registry());
  return p;
}

}  // namespace

prometheus::Registry& Registry() {
  static prometheus::Registry registry;
  return registry;
}

std::mutex& CollectorsMutex() {
  static std::mutex mu;
  return mu;
}

std::vector<std::function<void()>>& Collectors() {
  static std::vector<std::function<void()>> collectors;
  return collectors;
}

void AddCollector(std::function<void()> collector) {
  std::lock_guard lock(CollectorsMutex());
  Collectors().push_back(std::move(collector));
}

std::string Serialize() {
  Process().Refresh();
  {
    std::lock_guard lock(CollectorsMutex());
    for (const auto& c : Collectors()) {
      c();
    }
  }
  prometheus::TextSerializer serializer;
  std::ostringstream out;
  serializer.Serialize(out, Registry().Collect());
  return out.str();
}

const prometheus::Histogram::BucketBoundaries& LatencyBuckets() {
  static const prometheus::Histogram::BucketBoundaries kBuckets = {
      0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
      5, 10};
  return kBuckets;
}

}  // namespace mr::metrics
