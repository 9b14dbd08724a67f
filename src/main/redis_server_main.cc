// `miniredis server`: one instance on one port, with redis-server's flags, so benchmarks and
// compatibility tests can run against MiniRedis exactly as they run against redis-server.
#include "main/redis_server_main.h"

#include <signal.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cctype>
#include <cstdint>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "common/log.h"
#include "common/shutdown_signals.h"
#include "engine/server/config_params.h"
#include "engine/server/instance.h"
#include "redis_server/listener.h"
#include "redis_server/shard_set.h"
#include "storage/instance_storage.h"

namespace mr {

namespace {

int Fail(const std::string& message, int code) {
  std::cerr << "miniredis server: " << message << "\n";
  return code;
}


bool ParseLogLevel(const std::string& redis_level, log::Level* out) {
  if (redis_level == "debug" || redis_level == "verbose") {
    *out = log::Level::kDebug;
  } else if (redis_level == "notice") {
    *out = log::Level::kInfo;
  } else if (redis_level == "warning") {
    *out = log::Level::kWarn;
  } else if (redis_level == "nothing") {
    *out = log::Level::kError;
  } else {
    return false;
  }
  return true;
}

struct ServerFlags {
  uint16_t port = 6379;
  std::vector<std::string> bind = {"127.0.0.1"};
  std::string requirepass;
  std::string maxmemory = "0";
  std::string policy = "noeviction";
  int shards = 0;
  std::string dir;
  std::string appendonly = "no";
  std::string appendfsync = "everysec";
  std::string save;
  std::string loglevel = "notice";
  std::string daemonize = "no";
};

void AddFlags(CLI::App& app, ServerFlags& f) {
  app.add_option("--port", f.port, "TCP port")->capture_default_str();
  app.add_option("--bind", f.bind, "Addresses to listen on")->capture_default_str();
  app.add_option("--requirepass", f.requirepass, "Password of the default user");
  app.add_option("--maxmemory", f.maxmemory, "Memory limit: bytes, or 100mb / 1gb")
      ->capture_default_str();
  app.add_option("--maxmemory-policy", f.policy, "Eviction policy (Redis names)")
      ->capture_default_str();
  app.add_option("--shards", f.shards, "Shard threads (0: one per core)")->capture_default_str();
  app.add_option("--dir", f.dir, "Working directory");
  app.add_option("--appendonly", f.appendonly,
                 "yes: log every write (appendonly-N.aof) besides snapshots (dump-N.rdb) in --dir")
      ->capture_default_str();
  app.add_option("--appendfsync", f.appendfsync, "always|everysec (no is taken as everysec)")
      ->capture_default_str();
  app.add_option("--save", f.save,
                 "Non-empty (e.g. \"3600 1 300 100\"): snapshots with Redis' default save points; "
                 "empty or absent: none, unlike redis-server");
  app.add_option("--loglevel", f.loglevel, "debug|verbose|notice|warning|nothing")
      ->capture_default_str();
  app.add_option("--daemonize", f.daemonize, "Only no: run in the foreground")
      ->capture_default_str();
}

// redis.conf style "--bind '127.0.0.1 ::1'" as well as "--bind 127.0.0.1 ::1".
std::vector<std::string> SplitAddresses(const std::vector<std::string>& flags) {
  std::vector<std::string> out;
  for (const std::string& flag : flags) {
    std::istringstream words(flag);
    for (std::string w; words >> w;) {
      out.push_back(w);
    }
  }
  return out;
}


}  // namespace

int RunRedisServer(int argc, char** argv) {
  CLI::App app{"miniredis server: one Redis-compatible instance, with redis-server's flags."};
  app.name("miniredis server");
  ServerFlags f;
  AddFlags(app, f);
  CLI11_PARSE(app, argc, argv);

  if (f.appendonly != "yes" && f.appendonly != "no") {
    return Fail("--appendonly must be yes or no", 2);
  }
  if (f.appendfsync != "always" && f.appendfsync != "everysec" && f.appendfsync != "no") {
    return Fail("--appendfsync must be always, everysec or no", 2);
  }
  if (f.daemonize != "no") {
    return Fail("--daemonize yes is not supported: run it in the foreground", 2);
  }
  log::Level level;
  if (!ParseLogLevel(f.loglevel, &level)) {
    return Fail("--loglevel must be one of debug, verbose, notice, warning, nothing", 2);
  }
  log::SetLevel(level);
  engine::InstanceConfig cfg;
  cfg.id = "default";
  if (!engine::ParseMemory(f.maxmemory, &cfg.maxmemory)) {
    return Fail("--maxmemory '" + f.maxmemory + "' is not a size (e.g. 1073741824, 100mb, 1gb)",
                2);
  }
  if (!engine::ParsePolicy(f.policy, &cfg.policy)) {
    return Fail("--maxmemory-policy '" + f.policy + "' is not a Redis eviction policy", 2);
  }
  if (!f.dir.empty() && ::chdir(f.dir.c_str()) != 0) {
    return Fail("--dir '" + f.dir + "': cannot enter the directory", 1);
  }

  BlockShutdownSignals();
  engine::Instance inst(cfg);
  std::unique_ptr<storage::InstanceStorage> storage;
  std::string restored;  // printed once the ports listen, after the "ready" lines
  if (f.appendonly == "yes" || !f.save.empty()) {
    storage::StorageOptions so;
    so.dir = ".";  // --dir, entered above
    so.append_log = f.appendonly == "yes";
    so.fsync = f.appendfsync == "always" ? storage::FsyncPolicy::kAlways
                                          : storage::FsyncPolicy::kEverysec;
    storage::RestoreReport report;
    auto opened = storage::InstanceStorage::Open(inst, so, &report);
    if (!opened.ok()) {
      return Fail(opened.status().message(), 1);
    }
    storage = std::move(opened).value();
    restored = "restored " + std::to_string(report.keys) + " keys in " +
               std::to_string(report.seconds) + " s";
    for (const std::string& problem : report.problems) {
      restored += "\nrestore problem: " + problem;
    }
  }
  redis_server::ShardSet shards(redis_server::ShardSetOptions{.shards = f.shards});
  shards.Start();
  if (Status s = shards.AddInstance(0, &inst, {cfg.id, f.requirepass}); !s.ok()) {
    return Fail(s.message(), 1);
  }
  std::vector<std::unique_ptr<redis_server::Listener>> listeners;
  for (const std::string& addr : SplitAddresses(f.bind)) {
    auto l = redis_server::Listener::Dedicated(shards, 0, &inst, {.bind_address = addr,
                                                                  .port = f.port});
    if (!l.ok()) {
      listeners.clear();
      shards.Stop();
      return Fail(l.error(), 1);
    }
    listeners.push_back(std::move(*l));
    std::cout << "ready to accept connections on " << addr << ":" << listeners.back()->port()
              << std::endl;
  }

  if (!restored.empty()) {
    std::cout << restored << std::endl;
  }
  std::cout << "received " << WaitForShutdownSignal() << ", shutting down" << std::endl;
  listeners.clear();
  shards.RemoveInstance(&inst);  // connections closed: nothing writes from here on
  if (storage) {
    if (Status s = storage->Close(); !s.ok()) {
      std::cerr << "final snapshot failed: " << s.message() << std::endl;
    }
  }
  shards.Stop();
  return 0;
}

}  // namespace mr
