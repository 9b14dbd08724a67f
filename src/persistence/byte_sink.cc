#include "persistence/byte_sink.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>

namespace mr::persistence {
namespace {

Status ErrnoStatus(const std::string& what, const std::string& path) {
  return Status::Error(what + " " + path + ": " + std::strerror(errno));
}

std::string DirOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) {
    return ".";
  }
  return slash == 0 ? "/" : path.substr(0, slash);
}

std::string BaseOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace

Result<std::unique_ptr<FileSink>> FileSink::Create(const std::string& path) {
  // Same directory as the target: rename() is atomic only within one file system.
  // The counter keeps two saves of one process from sharing a temporary file.
  static std::atomic<uint64_t> counter{0};
  std::string temp = DirOf(path) + "/." + BaseOf(path) + ".tmp-" + std::to_string(getpid()) + "-" +
                     std::to_string(counter.fetch_add(1));
  const int fd = open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    return ErrnoStatus("cannot create", temp);
  }
  return std::unique_ptr<FileSink>(new FileSink(path, std::move(temp), fd));
}

FileSink::~FileSink() {
  if (fd_ >= 0) {
    close(fd_);
  }
  if (!finished_) {
    unlink(temp_path_.c_str());
  }
}

Status FileSink::Write(std::string_view bytes) {
  if (fd_ < 0) {
    return Status::Error("write after the dump was finished or failed: " + temp_path_);
  }
  while (!bytes.empty()) {
    const ssize_t n = write(fd_, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return ErrnoStatus("cannot write", temp_path_);
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

Status FileSink::Finish() {
  if (fd_ < 0) {
    return Status::Error("dump already finished: " + path_);
  }
  if (fsync(fd_) != 0) {
    return ErrnoStatus("cannot fsync", temp_path_);
  }
  const int rc = close(fd_);
  fd_ = -1;
  if (rc != 0) {
    return ErrnoStatus("cannot close", temp_path_);
  }
  if (rename(temp_path_.c_str(), path_.c_str()) != 0) {
    return ErrnoStatus("cannot rename " + temp_path_ + " to", path_);
  }
  finished_ = true;
  // Without this the rename itself may be lost on power failure.
  const std::string dir = DirOf(path_);
  const int dir_fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd < 0) {
    return ErrnoStatus("cannot open directory", dir);
  }
  const int sync_rc = fsync(dir_fd);
  close(dir_fd);
  if (sync_rc != 0) {
    return ErrnoStatus("cannot fsync directory", dir);
  }
  return Status::Ok();
}

}  // namespace mr::persistence
