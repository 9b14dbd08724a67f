// Prometheus metrics for the whole process (prometheus-cpp registry) and their text exposition,
// with the standard process_* metrics read from /proc at scrape time.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <functional>
#include <string>

namespace mr::metrics {

/// The process-wide registry every module adds its families to.
prometheus::Registry& Registry();

/// Text exposition format 0.0.4 of every family, after refreshing the process metrics and
/// running every collector.
std::string Serialize();

/// Registers a function that updates gauges just before each scrape (values that are cheaper to
/// read on demand than to keep current, such as per-instance memory).
void AddCollector(std::function<void()> collector);

/// Latency buckets in seconds shared by request-duration histograms (100 µs .. 10 s).
const prometheus::Histogram::BucketBoundaries& LatencyBuckets();

}  // namespace mr::metrics
