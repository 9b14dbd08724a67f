// Benchmark (not a test): fills an instance with N small string keys ("key:000000000123", 16-byte
// values) by SET, then times WriteSnapshot (to memory and to a file) and LoadSnapshot(File).
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>

#include "engine/server/engine.h"
#include "engine/server/snapshot.h"

namespace {

double MsSince(std::chrono::steady_clock::time_point start) {
  auto d = std::chrono::steady_clock::now() - start;
  return static_cast<double>(std::chrono::duration_cast<std::chrono::microseconds>(d).count()) /
         1000.0;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace mr::engine;
  using Clock = std::chrono::steady_clock;
  const size_t n = argc > 1 ? std::stoul(argv[1]) : 1000000;
  const std::string path = argc > 2 ? argv[2] : "/tmp/bench_snapshot_" + std::to_string(getpid());
  const std::string value(16, 'x');
  Instance inst;
  Session session;
  std::string out;
  mr::resp::Writer w(&out);
  for (size_t i = 0; i < n; ++i) {
    char key[32];
    std::snprintf(key, sizeof(key), "key:%012zu", i);
    std::string_view args[3] = {"SET", key, value};
    Dispatch(inst, session, args, w);
    out.clear();
  }
  const int64_t used_after_set = inst.used_memory();
  for (int i = 0; i < 200; ++i) {  // shard cron: finishes the resize the last SETs left running
    RunActiveExpiry(inst, std::chrono::microseconds(1000));
  }
  const int64_t now = inst.clock().NowMs();

  std::string image;
  image.reserve(64 << 20);
  mr::persistence::StringSink mem_sink(&image);
  SnapshotStats stats;
  auto t0 = Clock::now();
  mr::Status s = WriteSnapshot(inst, &mem_sink, now, &stats);
  const double save_mem_ms = MsSince(t0);
  if (!s.ok()) {
    std::fprintf(stderr, "save: %s\n", s.message().c_str());
    return 1;
  }

  t0 = Clock::now();
  auto file_sink = mr::persistence::FileSink::Create(path);
  s = file_sink.ok() ? WriteSnapshot(inst, file_sink->get(), now) : file_sink.status();
  const double save_file_ms = MsSince(t0);
  if (!s.ok()) {
    std::fprintf(stderr, "save to %s: %s\n", path.c_str(), s.message().c_str());
    return 1;
  }

  Instance loaded;
  t0 = Clock::now();
  mr::persistence::LoadReport r = LoadSnapshot(loaded, image);
  const double load_mem_ms = MsSince(t0);

  Instance loaded_file;
  t0 = Clock::now();
  mr::persistence::LoadReport rf = LoadSnapshotFile(loaded_file, path);
  const double load_file_ms = MsSince(t0);
  std::remove(path.c_str());
  if (!r.clean() || !rf.clean() || r.keys_loaded != n || rf.keys_loaded != n) {
    std::fprintf(stderr, "load: %s %s\n", r.error.c_str(), rf.error.c_str());
    return 1;
  }

  std::printf("keys=%llu image=%.1f MB\n", static_cast<unsigned long long>(stats.keys),
              static_cast<double>(stats.bytes) / (1 << 20));
  std::printf("used_memory: built by SET %lld B (%lld B before the cron finished its resize), "
              "loaded %lld B\n",
              static_cast<long long>(inst.used_memory()), static_cast<long long>(used_after_set),
              static_cast<long long>(loaded.used_memory()));
  std::printf("save: %.0f ms to memory, %.0f ms to a file (fsync included)\n", save_mem_ms,
              save_file_ms);
  std::printf("load: %.0f ms from memory, %.0f ms from the file\n", load_mem_ms, load_file_ms);
  return 0;
}
