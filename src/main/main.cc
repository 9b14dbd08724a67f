// The miniredis binary: `miniredis --target=all|<service>[,<service>...]` runs services;
// `miniredis server ...` runs one Redis-compatible instance like redis-server.
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include "common/log.h"
#include "common/shutdown_signals.h"
#include "main/healthcheck.h"
#include "main/in_process.h"
#include "main/platform.h"
#include "main/redis_server_main.h"
#include "main/targets.h"

namespace {

std::string RandomToken() {
  std::ifstream urandom("/dev/urandom", std::ios::binary);
  unsigned char buf[32];
  urandom.read(reinterpret_cast<char*>(buf), sizeof(buf));
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : buf) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

int Fail(const std::string& message, int code = 2) {
  std::cerr << "miniredis: " << message << "\n";
  return code;
}

mr::Result<mr::ConfigSources> ReadSources(const mr::ConfigSchema& schema,
                                          const std::string& env_file, bool env_file_explicit,
                                          std::map<std::string, std::string> flags) {
  mr::ConfigSources src;
  std::ifstream in(env_file);
  if (in) {
    std::stringstream text;
    text << in.rdbuf();
    auto parsed = mr::ParseEnvFile(text.str(), env_file);
    if (!parsed.ok()) {
      return parsed.status();
    }
    src.env_file = std::move(*parsed);
  } else if (env_file_explicit) {
    return mr::Status::Error("cannot read env file '" + env_file + "'");
  }
  for (const auto& s : schema.settings()) {
    if (const char* v = std::getenv(s.env.c_str())) {
      src.environment[s.env] = v;
    }
  }
  src.flags = std::move(flags);
  return src;
}

}  // namespace

namespace {

// Every connection, listener and log segment is a descriptor: use all the hard limit allows,
// as redis-server does, instead of the 1024 many shells start with.
void RaiseFileLimit() {
  struct rlimit l {};
  if (::getrlimit(RLIMIT_NOFILE, &l) == 0 && l.rlim_cur < l.rlim_max) {
    l.rlim_cur = l.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &l);
  }
}

}  // namespace


int main(int argc, char** argv) {
  RaiseFileLimit();
  if (argc > 1 && std::string(argv[1]) == "server") {
    return mr::RunRedisServer(argc - 1, argv + 1);
  }
  if (argc > 1 && std::string(argv[1]) == "healthcheck") {
    return mr::RunHealthcheck(argc - 1, argv + 1);
  }
  mr::ConfigSchema schema;
  mr::RegisterAllSettings(&schema);

  CLI::App app{"MiniRedis: a self-hosted, multi-tenant, Redis-compatible database platform.\n"
               "Subcommands: `miniredis server --help` runs one instance like redis-server;\n"
               "`miniredis healthcheck --url http://127.0.0.1:PORT/readyz` probes a service."};
  std::string target = "all", env_file = ".env";
  bool list_targets = false, print_docs = false;
  app.add_option("-t,--target", target, "Modules to run: all, or a comma list of services")
      ->capture_default_str();
  app.add_flag("--list-targets", list_targets, "List the targets and exit");
  app.add_flag("--print-config-docs", print_docs, "Print docs/configuration.md and exit");
  auto* env_opt = app.add_option("--env-file", env_file, "File of KEY=VALUE settings")
                      ->capture_default_str();
  std::map<std::string, std::string> flag_storage;
  std::vector<std::pair<std::string, CLI::Option*>> setting_opts;
  for (const auto& s : schema.settings()) {
    auto* opt = app.add_option(s.FlagName(), flag_storage[s.env], s.description + " [env " +
                               s.env + "]");
    setting_opts.emplace_back(s.env, opt);
  }
  CLI11_PARSE(app, argc, argv);

  if (print_docs) {
    std::cout << schema.RenderMarkdown();
    return 0;
  }
  if (list_targets) {
    for (const auto& t : mr::Targets()) {
      std::printf("%-20s %s\n", t.spec.name.c_str(), t.spec.description.c_str());
    }
    return 0;
  }
  std::map<std::string, std::string> flags;
  for (const auto& [env, opt] : setting_opts) {
    if (opt->count() > 0) {
      flags[env] = flag_storage[env];
    }
  }
  auto sources = ReadSources(schema, env_file, env_opt->count() > 0, std::move(flags));
  if (!sources.ok()) {
    return Fail(sources.error());
  }
  auto config = mr::ResolveConfig(schema, *sources);
  if (!config.ok()) {
    return Fail(config.error());
  }
  mr::log::Level level;
  mr::log::ParseLevel(config->Get("LOG_LEVEL"), &level);
  mr::log::SetLevel(level);

  auto order = mr::ResolveStartOrder(mr::TargetSpecs(), mr::SplitTargets(target));
  if (!order.ok()) {
    return Fail(order.error());
  }
  if (mr::Status s = mr::PrepareDataDir(config->Get("DATA_DIR")); !s.ok()) {
    return Fail(s.message());
  }
  if (config->Get("INTERNAL_TOKEN").empty()) {
    // One process: the services can share a token nobody else knows. Split deployments set it.
    config->Set("INTERNAL_TOKEN", RandomToken());
  }
  mr::TrustTheGatewayInProcess(*order, *sources, &*config);
  mr::PointAtPeersInProcess(*order, *sources, &*config);
  mr::BlockShutdownSignals();
  return mr::RunPlatform(*config, *order);
}
