#include "security/secret_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>

namespace mr::security {
namespace {

Status Failed(std::string_view what, const std::filesystem::path& path) {
  return Status::Error(std::string(what) + " " + path.string() + ": " + std::strerror(errno));
}

Status WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return Status::Error(std::strerror(errno));
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

}  // namespace

Status WriteSecretFile(const std::filesystem::path& path, std::string_view contents,
                       IfExists if_exists, bool* kept) {
  std::filesystem::path dir = path.parent_path();
  if (!dir.empty()) {
    std::error_code ec;
    if (std::filesystem::create_directories(dir, ec)) {
      ::chmod(dir.c_str(), 0700);
    } else if (ec) {
      return Status::Error("cannot create directory " + dir.string() + ": " + ec.message());
    }
  }
  std::filesystem::path tmp = path;
  // Racing writers must not share a temp file: processes differ by pid, threads by the counter.
  static std::atomic<uint64_t> next_tmp{0};
  tmp += ".tmp." + std::to_string(::getpid()) + "." + std::to_string(next_tmp.fetch_add(1));
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    return Failed("cannot create", tmp);
  }
  ::fchmod(fd, 0600);  // O_CREAT's mode is only applied to new files
  Status written = WriteAll(fd, contents);
  bool synced = written.ok() && ::fsync(fd) == 0;
  ::close(fd);
  if (!written.ok() || !synced) {
    ::unlink(tmp.c_str());
    return Status::Error("cannot write " + tmp.string() +
                         (written.ok() ? std::string(": fsync failed") : ": " + written.message()));
  }
  if (if_exists == IfExists::kKeep) {
    // link() fails when the target exists, unlike rename(): an atomic "create if absent".
    int rc = ::link(tmp.c_str(), path.c_str());
    int err = errno;
    ::unlink(tmp.c_str());
    if (rc != 0) {
      errno = err;
      if (kept != nullptr) {
        *kept = err == EEXIST;
      }
      return Failed("cannot create", path);
    }
  } else if (::rename(tmp.c_str(), path.c_str()) != 0) {
    Status s = Failed("cannot rename onto", path);
    ::unlink(tmp.c_str());
    return s;
  }
  int dfd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);  // make the rename itself durable
    ::close(dfd);
  }
  return Status::Ok();
}

Result<std::string> ReadSecretFile(const std::filesystem::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    return Failed("cannot open", path);
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return Status::Error(path.string() + " is not a regular file");
  }
  if ((st.st_mode & 0007) != 0) {
    ::close(fd);
    return Status::Error(path.string() + " holds secret keys but other users can access it; run "
                         "chmod 600 on it (and consider rotating the keys)");
  }
  std::string out;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      Status s = Failed("cannot read", path);
      ::close(fd);
      return s;
    }
    if (n == 0) {
      break;
    }
    out.append(buf, static_cast<size_t>(n));
    if (out.size() > (1 << 20)) {
      ::close(fd);
      return Status::Error(path.string() + " is larger than 1 MiB: not a key file");
    }
  }
  ::close(fd);
  return out;
}

}  // namespace mr::security
