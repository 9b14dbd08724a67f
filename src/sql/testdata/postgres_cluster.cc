#include "sql/testdata/postgres_cluster.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "sql/database.h"

namespace mr::sql::testing {
namespace {

std::string PgBin() {
  const char* env = std::getenv("PG_BIN_DIR");
  return env != nullptr ? env : "/usr/lib/postgresql/15/bin";
}

std::string ReadTail(const std::string& path, size_t max = 2000) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  std::string text = s.str();
  return text.size() > max ? text.substr(text.size() - max) : text;
}

// PostgreSQL refuses to run as root: as root, run its tools as the `postgres` user.
std::string AsPostgres(const std::string& command) {
  return geteuid() == 0 ? "runuser -u postgres -- " + command : command;
}

// A child process that outlives a crashed or killed test: it blocks on a pipe whose write end only
// this process holds, and when that closes (normal exit, abort, SIGKILL from a ctest timeout) it
// stops the postmaster and deletes the folder.
void StartWatchdog(const std::string& dir) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    return;
  }
  pid_t child = fork();
  if (child != 0) {
    close(fds[0]);  // the write end stays open, unseen by exec'd tools (O_CLOEXEC)
    return;
  }
  close(fds[1]);
  char byte;
  while (read(fds[0], &byte, 1) > 0) {
  }
  std::string pid_path = dir + "/data/postmaster.pid";
  int fd = open(pid_path.c_str(), O_RDONLY);
  if (fd >= 0) {
    char buf[32] = {};
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    pid_t pid = n > 0 ? static_cast<pid_t>(std::atoi(buf)) : 0;
    if (pid > 0 && kill(pid, SIGINT) == 0) {
      for (int i = 0; i < 750 && kill(pid, 0) == 0; ++i) {
        usleep(20000);
      }
    }
  }
  execl("/bin/rm", "rm", "-rf", dir.c_str(), static_cast<char*>(nullptr));
  _exit(0);
}

}  // namespace

uint16_t FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  uint16_t port = 0;
  if (fd >= 0 && bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  if (fd >= 0) {
    close(fd);
  }
  return port;
}

PostgresCluster& PostgresCluster::Shared() {
  static PostgresCluster cluster;
  return cluster;
}

PostgresCluster::PostgresCluster() {
  char tmpl[] = "/tmp/mr-sql-pg-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) {
    error_ = "cannot create a temp folder";
    return;
  }
  dir_ = tmpl;
  if (geteuid() == 0) {
    passwd* pw = getpwnam("postgres");
    if (pw == nullptr || chown(dir_.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
      error_ = "running as root but there is no usable `postgres` user (install postgresql-15: "
               "scripts/bootstrap)";
      return;
    }
  }
  StartWatchdog(dir_);
  Start();
}

bool PostgresCluster::Start() {
  std::string log = dir_ + "/initdb.log";
  std::string initdb = AsPostgres(PgBin() + "/initdb -D " + dir_ + "/data -A trust -U postgres " +
                                  "--no-sync -E UTF8 --locale=C > " + log + " 2>&1");
  if (std::system(initdb.c_str()) != 0) {
    error_ = "initdb failed (" + initdb + "): " + ReadTail(log);
    return false;
  }
  for (int attempt = 0; attempt < 3; ++attempt) {
    port_ = FreePort();
    std::string server_log = dir_ + "/server.log";
    std::string start = AsPostgres(
        PgBin() + "/pg_ctl -D " + dir_ + "/data -l " + server_log + " -w -t 30 -o \"-p " +
        std::to_string(port_) + " -k " + dir_ +
        " -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100\" start > " + dir_ +
        "/pg_ctl.log 2>&1");
    if (std::system(start.c_str()) == 0) {
      error_.clear();
      return true;
    }
    error_ = "pg_ctl start failed on port " + std::to_string(port_) + ": " +
             ReadTail(dir_ + "/pg_ctl.log") + " server log: " + ReadTail(server_log);
  }
  return false;
}

void PostgresCluster::Stop() {
  std::ifstream pid_file(dir_ + "/data/postmaster.pid");
  pid_t pid = 0;
  if (pid_file >> pid && pid > 0) {
    kill(pid, SIGINT);  // "fast" shutdown: roll back sessions, exit
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    while (kill(pid, 0) == 0 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (kill(pid, 0) == 0) {
      kill(pid, SIGKILL);
    }
  }
}

PostgresCluster::~PostgresCluster() {
  if (dir_.empty()) {
    return;
  }
  Stop();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

std::string PostgresCluster::Url(const std::string& database) const {
  return "postgresql://postgres@127.0.0.1:" + std::to_string(port_) + "/" + database;
}

Result<std::string> PostgresCluster::CreateDatabase() {
  if (!ok()) {
    return Status::Error(ErrorKind::kUnavailable, error_);
  }
  std::string name = "t" + std::to_string(getpid()) + "_" + std::to_string(++created_);
  Options options;
  options.url = Url("postgres");
  options.pool_size = 1;
  auto admin = Database::Open(options);
  if (!admin.ok()) {
    return admin.status();
  }
  auto created = (*admin)->Exec("CREATE DATABASE " + name);
  if (!created.ok()) {
    return created.status();
  }
  return name;
}

}  // namespace mr::sql::testing
