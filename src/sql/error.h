// Errors of the SQL layer: a Status that also says what kind of failure it is, so callers can turn
// "database unreachable" into 503 and "unique violation" into "email already registered".
#pragma once

#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "common/status.h"

namespace mr::sql {

enum class ErrorKind {
  kNone,             // success
  kUnavailable,      // cannot connect, pool exhausted past its deadline, busy/locked, timed out
  kUniqueViolation,  // a UNIQUE or PRIMARY KEY constraint refused the write
  kConstraint,       // another constraint (foreign key, NOT NULL, CHECK)
  kInvalid,          // the statement or its parameters are wrong (a programming error)
  kMigration,        // migration files do not match the database's recorded history
  kInternal,         // anything else the driver reported
};

std::string_view KindName(ErrorKind kind);

/// Like mr::Status, plus the kind of failure. Converts to mr::Status where only the message
/// matters.
class Status {
 public:
  Status() = default;
  static Status Ok() { return Status(); }
  static Status Error(ErrorKind kind, std::string message) {
    return Status(kind, std::move(message));
  }

  bool ok() const { return kind_ == ErrorKind::kNone; }
  ErrorKind kind() const { return kind_; }
  const std::string& message() const { return message_; }
  bool unavailable() const { return kind_ == ErrorKind::kUnavailable; }
  bool unique_violation() const { return kind_ == ErrorKind::kUniqueViolation; }

  mr::Status ToStatus() const { return ok() ? mr::Status::Ok() : mr::Status::Error(message_); }
  operator mr::Status() const { return ToStatus(); }  // NOLINT: implicit by design

 private:
  Status(ErrorKind kind, std::string message) : kind_(kind), message_(std::move(message)) {}
  ErrorKind kind_ = ErrorKind::kNone;
  std::string message_;
};

/// A value or an sql::Status, with the same shape as mr::Result.
template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status error) : v_(std::move(error)) {  // NOLINT
    if (std::get<Status>(v_).ok()) {
      std::abort();  // a Result built from an OK status carries no value: a programming error
    }
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T& value() & { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }
  Status status() const { return ok() ? Status::Ok() : std::get<Status>(v_); }
  ErrorKind kind() const { return ok() ? ErrorKind::kNone : std::get<Status>(v_).kind(); }
  const std::string& error() const { return std::get<Status>(v_).message(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace mr::sql
