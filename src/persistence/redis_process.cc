#include "persistence/redis_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

extern char** environ;

namespace mr::persistence::testing {
namespace {

int FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    if (fd >= 0) close(fd);
    return -1;
  }
  close(fd);
  return ntohs(addr.sin_port);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string TempPath(const std::string& tag) {
  static int counter = 0;
  return "/tmp/mr-persistence-" + std::to_string(getpid()) + "-" + std::to_string(counter++) +
         "-" + tag;
}

// posix_spawn with stdin/stdout/stderr redirected to files (no pipe deadlocks on large data).
Result<pid_t> Spawn(const std::vector<std::string>& argv, const std::string& in,
                    const std::string& out, const std::string& err) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, in.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    return Status::Error("cannot start " + argv[0] + ": " + std::to_string(rc));
  }
  return pid;
}

}  // namespace

std::string FindOnPath(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "/usr/bin:/bin");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    const std::string candidate = dir + "/" + program;
    if (access(candidate.c_str(), X_OK) == 0) {
      return candidate;
    }
  }
  return "";
}

std::string RespCommand(const std::vector<std::string_view>& args) {
  std::string out = "*" + std::to_string(args.size()) + "\r\n";
  for (std::string_view a : args) {
    out += "$" + std::to_string(a.size()) + "\r\n";
    out += a;
    out += "\r\n";
  }
  return out;
}

Result<std::string> RunProgram(const std::vector<std::string>& argv, std::string_view input) {
  const std::string in = TempPath("in");
  const std::string out = TempPath("out");
  const std::string err = TempPath("err");
  std::ofstream(in, std::ios::binary) << input;
  auto pid = Spawn(argv, in, out, err);
  int status = 0;
  if (pid.ok()) {
    waitpid(*pid, &status, 0);
  }
  std::string stdout_text = ReadFile(out);
  const std::string stderr_text = ReadFile(err);
  unlink(in.c_str());
  unlink(out.c_str());
  unlink(err.c_str());
  if (!pid.ok()) {
    return pid.status();
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return Status::Error(argv[0] + " failed (status " + std::to_string(status) + "): " +
                         stderr_text + stdout_text);
  }
  return stdout_text;
}

Result<std::unique_ptr<RedisProcess>> RedisProcess::Start(
    const std::string& dir, const std::string& dbfilename,
    const std::vector<std::string>& extra_args) {
  const std::string server = FindOnPath("redis-server");
  if (server.empty() || FindOnPath("redis-cli").empty()) {
    return Status::Error(
        "redis-server and redis-cli must be on PATH for this test (Debian: apt-get install "
        "redis-server); it compares this library with real Redis and cannot be skipped");
  }
  const int port = FreePort();
  if (port < 0) {
    return Status::Error("no free loopback port");
  }
  std::vector<std::string> argv = {server,       "--port",    std::to_string(port),
                                   "--bind",     "127.0.0.1", "--save",
                                   "",           "--appendonly", "no",
                                   "--dir",      dir,         "--dbfilename",
                                   dbfilename,   "--logfile", dir + "/redis.log",
                                   "--daemonize", "no"};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  auto pid = Spawn(argv, "/dev/null", dir + "/redis.stdout", dir + "/redis.stderr");
  if (!pid.ok()) {
    return pid.status();
  }
  std::unique_ptr<RedisProcess> redis(new RedisProcess(*pid, port, dir));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (waitpid(*pid, &status, WNOHANG) == *pid) {
      redis->pid_ = -1;
      return Status::Error("redis-server exited during startup; log:\n" + redis->Log());
    }
    auto pong = redis->Cli({"PING"});
    if (pong.ok() && pong->find("PONG") != std::string::npos) {
      return redis;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return Status::Error("redis-server did not answer PING in 20 s; log:\n" + redis->Log());
}

RedisProcess::~RedisProcess() {
  if (pid_ <= 0) {
    return;
  }
  kill(pid_, SIGTERM);
  for (int i = 0; i < 200; ++i) {
    if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
}

std::string RedisProcess::Log() const { return ReadFile(dir_ + "/redis.log"); }

Result<std::string> RedisProcess::Cli(const std::vector<std::string>& args) const {
  std::vector<std::string> argv = {FindOnPath("redis-cli"), "-h", "127.0.0.1", "-p",
                                   std::to_string(port_)};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunProgram(argv);
}

Status RedisProcess::Pipe(std::string_view commands) const {
  auto out = RunProgram({FindOnPath("redis-cli"), "-h", "127.0.0.1", "-p", std::to_string(port_),
                         "--pipe"},
                        commands);
  if (!out.ok()) {
    return out.status();
  }
  // redis-cli --pipe ends with "errors: N, replies: M".
  if (out->find("errors: 0,") == std::string::npos) {
    return Status::Error("redis-cli --pipe reported errors: " + *out);
  }
  return Status::Ok();
}

}  // namespace mr::persistence::testing
