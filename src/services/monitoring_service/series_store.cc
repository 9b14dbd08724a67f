#include "services/monitoring_service/series_store.h"

#include <functional>

namespace mr::services::monitoring {
namespace {

// An unordered_map node holding a std::string key and a unique_ptr (next pointer, cached hash,
// key, value), its bucket slot and the allocator's headers of the two allocations.
constexpr size_t kEntryOverhead = 8 + 8 + sizeof(std::string) + 8 + 8 + 2 * 16;

}  // namespace

SeriesStore::Shard& SeriesStore::ShardOf(const std::string& id) const {
  return shards_[std::hash<std::string>{}(id) % kShards];
}

size_t SeriesStore::BytesPerInstance(size_t id_length) {
  // Ids up to 15 characters live inside std::string (small-string buffer).
  size_t heap_id = id_length > 15 ? id_length + 1 : 0;
  return sizeof(InstanceSeries) + kEntryOverhead + heap_id;
}

SeriesStore::RecordOutcome SeriesStore::Record(uint16_t source, int64_t now_ms,
                                               const std::vector<InstanceCounters>& instances,
                                               int64_t previous_poll_ms) {
  RecordOutcome out;
  for (const InstanceCounters& c : instances) {
    Shard& shard = ShardOf(c.id);
    std::unique_ptr<InstanceSeries> fresh;
    {
      std::lock_guard lock(shard.mu);
      auto it = shard.series.find(c.id);
      if (it != shard.series.end()) {
        it->second->Add(now_ms, source, c);
        ++out.stored;
        continue;
      }
    }
    // Claim a place before allocating (60 KB, outside the lock); give it back when refused.
    if (count_.fetch_add(1, std::memory_order_relaxed) >= options_.max_instances) {
      count_.fetch_sub(1, std::memory_order_relaxed);
      ++out.refused;
      continue;
    }
    fresh = std::make_unique<InstanceSeries>(source, options_.max_rate_gap_ms);
    if (previous_poll_ms > 0) {
      fresh->BornAfter(previous_poll_ms);
    }
    fresh->Add(now_ms, source, c);
    std::lock_guard lock(shard.mu);
    auto [it, inserted] = shard.series.try_emplace(c.id, std::move(fresh));
    if (inserted) {
      shard.id_bytes += c.id.size() > 15 ? c.id.size() + 1 : 0;
    } else {
      // Another node-manager's poll added it meanwhile (an instance reported twice).
      count_.fetch_sub(1, std::memory_order_relaxed);
      it->second->Add(now_ms, source, c);
    }
    ++out.stored;
  }
  return out;
}

size_t SeriesStore::DropUnseen(int64_t now_ms) {
  size_t dropped = 0;
  for (Shard& shard : shards_) {
    std::vector<std::unique_ptr<InstanceSeries>> doomed;  // freed after the lock
    {
      std::lock_guard lock(shard.mu);
      for (auto it = shard.series.begin(); it != shard.series.end();) {
        if (now_ms - it->second->last_seen_ms() > options_.retention_ms) {
          shard.id_bytes -= it->first.size() > 15 ? it->first.size() + 1 : 0;
          doomed.push_back(std::move(it->second));
          it = shard.series.erase(it);
        } else {
          ++it;
        }
      }
    }
    dropped += doomed.size();
  }
  count_.fetch_sub(dropped, std::memory_order_relaxed);
  return dropped;
}

std::optional<InstanceView> SeriesStore::Read(const std::string& id, Resolution r, int64_t now_ms,
                                              size_t points) const {
  Shard& shard = ShardOf(id);
  std::lock_guard lock(shard.mu);
  auto it = shard.series.find(id);
  if (it == shard.series.end()) {
    return std::nullopt;
  }
  const InstanceSeries& s = *it->second;
  return InstanceView{s.source(), s.latest(), s.Read(r, now_ms, points)};
}

size_t SeriesStore::bytes() const {
  size_t total = 0;
  for (const Shard& shard : shards_) {
    std::lock_guard lock(shard.mu);
    total += shard.series.size() * BytesPerInstance(0) + shard.id_bytes;
  }
  return total;
}

}  // namespace mr::services::monitoring
