// Micro-benchmark (not a test): loads 1,000,000 keys like redis-benchmark ("key:000000000123",
// 16-byte values) through Dispatch and prints used_memory per key and ns per SET/GET.
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "engine/server/engine.h"

namespace {

std::string Key(size_t i) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "key:%012zu", i);
  return buf;
}

double NsPerOp(std::chrono::steady_clock::time_point start, size_t n) {
  auto d = std::chrono::steady_clock::now() - start;
  return static_cast<double>(std::chrono::duration_cast<std::chrono::nanoseconds>(d).count()) /
         static_cast<double>(n);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace mr::engine;
  size_t n = argc > 1 ? std::stoul(argv[1]) : 1000000;
  std::vector<std::string> keys(n);
  for (size_t i = 0; i < n; ++i) {
    keys[i] = Key(i);
  }
  const std::string value(16, 'x');
  Instance inst;
  Session session;
  std::string out;
  mr::resp::Writer w(&out);
  int64_t base = inst.used_memory();

  auto t0 = std::chrono::steady_clock::now();
  for (size_t i = 0; i < n; ++i) {
    std::string_view args[3] = {"SET", keys[i], value};
    Dispatch(inst, session, args, w);
    out.clear();
  }
  double set_ns = NsPerOp(t0, n);
  int64_t used_loaded = inst.used_memory() - base;
  for (int i = 0; i < 200; ++i) {  // ~20 s of shard cron: lets an in-flight resize finish
    RunActiveExpiry(inst, std::chrono::microseconds(1000));
  }
  int64_t used = inst.used_memory() - base;

  t0 = std::chrono::steady_clock::now();
  for (size_t i = 0; i < n; ++i) {
    std::string_view args[2] = {"GET", keys[(i * 7919) % n]};
    Dispatch(inst, session, args, w);
    out.clear();
  }
  double get_ns = NsPerOp(t0, n);

  t0 = std::chrono::steady_clock::now();
  for (size_t i = 0; i < n; ++i) {
    std::string_view args[3] = {"SET", keys[(i * 7919) % n], value};
    Dispatch(inst, session, args, w);
    out.clear();
  }
  double overwrite_ns = NsPerOp(t0, n);

  t0 = std::chrono::steady_clock::now();
  for (size_t i = 0; i < n; ++i) {
    std::string_view args[2] = {"INCR", "counter"};
    Dispatch(inst, session, args, w);
    out.clear();
  }
  double incr_ns = NsPerOp(t0, n);

  // redis-benchmark's collection tests: one key, random members (-r 100000).
  struct Op {
    const char* name;
    std::vector<std::string> args;  // "__rand__" is replaced by a random member
  };
  std::vector<Op> ops = {{"LPUSH", {"LPUSH", "mylist", "xxxxxxxxxxxxxxxx"}},
                         {"LPOP", {"LPOP", "mylist"}},
                         {"SADD", {"SADD", "myset", "__rand__"}},
                         {"HSET", {"HSET", "myhash", "__rand__", "xxxxxxxxxxxxxxxx"}},
                         {"ZADD", {"ZADD", "myzset", "7", "__rand__"}}};
  size_t m = std::min<size_t>(n, 200000);
  std::vector<std::string> members(m);
  for (size_t i = 0; i < m; ++i) {
    members[i] = "element:" + std::to_string((i * 2654435761u) % 100000);
  }
  std::vector<double> op_ns;
  for (const Op& op : ops) {
    t0 = std::chrono::steady_clock::now();
    for (size_t i = 0; i < m; ++i) {
      std::string_view args[4];
      for (size_t k = 0; k < op.args.size(); ++k) {
        args[k] = op.args[k] == "__rand__" ? std::string_view(members[i]) : op.args[k];
      }
      Dispatch(inst, session, std::span<const std::string_view>(args, op.args.size()), w);
      out.clear();
    }
    op_ns.push_back(NsPerOp(t0, m));
  }

  std::printf("keys=%zu used_memory=%lld bytes per_key=%.1f B (right after load: %.1f B)\n", n,
              static_cast<long long>(used), static_cast<double>(used) / static_cast<double>(n),
              static_cast<double>(used_loaded) / static_cast<double>(n));
  std::printf("SET(new) %.1f ns/op  GET %.1f ns/op  SET(overwrite) %.1f ns/op  INCR %.1f ns/op\n",
              set_ns, get_ns, overwrite_ns, incr_ns);
  for (size_t i = 0; i < ops.size(); ++i) {
    std::printf("%s %.1f ns/op  ", ops[i].name, op_ns[i]);
  }
  std::printf("\n");
  return 0;
}
