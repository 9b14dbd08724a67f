// Errors as values on the data path: Op* functions return OpStatus or OpResult<T>, never throw.
// Cmd* handlers map a status to the exact Redis error string with ErrorText().
#pragma once

#include <string_view>
#include <utility>

namespace mr::engine {

enum class OpStatus : uint8_t {
  OK,
  KEY_NOTFOUND,
  KEY_EXISTS,
  SKIPPED,
  WRONG_TYPE,
  OUT_OF_MEMORY,
  INVALID_INT,
  INVALID_FLOAT,
  OUT_OF_RANGE,
  OVERFLOW,
  SYNTAX_ERROR,
  INVALID_VALUE,
  NAN_RESULT,
};

/// The Redis error line for a failure status ("" for OK and the not-an-error statuses).
std::string_view ErrorText(OpStatus s);

template <typename T>
class OpResult {
 public:
  OpResult(T v) : v_(std::move(v)), st_(OpStatus::OK) {}  // NOLINT: implicit like Dragonfly
  OpResult(OpStatus s) : v_(), st_(s) {}                   // NOLINT
  bool ok() const { return st_ == OpStatus::OK; }
  OpStatus status() const { return st_; }
  const T& value() const { return v_; }
  T& value() { return v_; }
  const T& operator*() const { return v_; }
  T& operator*() { return v_; }
  const T* operator->() const { return &v_; }
  T* operator->() { return &v_; }

 private:
  T v_;
  OpStatus st_;
};

}  // namespace mr::engine
