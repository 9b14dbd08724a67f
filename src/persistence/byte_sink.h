// Where an RDB writer's bytes go: an in-memory string (tests, replication payloads) or a file that
// replaces its target atomically, so a crash mid-save never leaves a half-written dump behind.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

namespace mr::persistence {

class ByteSink {
 public:
  virtual ~ByteSink() = default;
  virtual Status Write(std::string_view bytes) = 0;
  /// Called once after the last Write; durable sinks make the data visible here.
  virtual Status Finish() { return Status::Ok(); }
};

/// Appends to a caller-owned string.
class StringSink : public ByteSink {
 public:
  explicit StringSink(std::string* out) : out_(out) {}
  Status Write(std::string_view bytes) override {
    out_->append(bytes);
    return Status::Ok();
  }

 private:
  std::string* out_;
};

/// Writes to "<dir>/.<name>.tmp-<pid>-<n>" and, on Finish, fsyncs it, renames it over `path` and
/// fsyncs the directory (Redis' rdbSave does the same). Destroyed unfinished, it deletes the
/// temporary file and leaves `path` untouched.
class FileSink : public ByteSink {
 public:
  static Result<std::unique_ptr<FileSink>> Create(const std::string& path);
  ~FileSink() override;
  FileSink(const FileSink&) = delete;
  FileSink& operator=(const FileSink&) = delete;

  Status Write(std::string_view bytes) override;
  Status Finish() override;

  const std::string& temp_path() const { return temp_path_; }

 private:
  FileSink(std::string path, std::string temp_path, int fd)
      : path_(std::move(path)), temp_path_(std::move(temp_path)), fd_(fd) {}

  std::string path_;
  std::string temp_path_;
  int fd_ = -1;
  bool finished_ = false;
};

}  // namespace mr::persistence
