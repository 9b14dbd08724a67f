// Test fixture for family tests: Run({"set","k","v"}) dispatches through the public entry point
// and returns the decoded reply; the clock is pinned so TTL tests are deterministic.
#pragma once

#include <gtest/gtest.h>

#include <initializer_list>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "engine/server/engine.h"

namespace mr::engine {

struct RespValue {
  enum Type { kStatus, kError, kInt, kBulk, kNil, kArray, kDouble, kBool, kMap } type = kNil;
  std::string str;
  int64_t i = 0;
  std::vector<RespValue> arr;

  bool operator==(std::string_view s) const {
    if (type == kNil) {
      return s == "(nil)";
    }
    return (type == kStatus || type == kError || type == kBulk || type == kDouble) && str == s;
  }
  bool operator==(int64_t v) const { return type == kInt && i == v; }
  bool operator==(int v) const { return type == kInt && i == v; }
  const RespValue& operator[](size_t k) const { return arr[k]; }
  size_t size() const { return arr.size(); }
  bool is_error() const { return type == kError; }
  std::vector<std::string> Strings() const {
    std::vector<std::string> out;
    for (const RespValue& v : arr) {
      out.push_back(v.type == kInt ? std::to_string(v.i) : v.type == kNil ? "(nil)" : v.str);
    }
    return out;
  }
};

inline std::ostream& operator<<(std::ostream& os, const RespValue& v) {
  switch (v.type) {
    case RespValue::kInt:
      return os << "(integer) " << v.i;
    case RespValue::kNil:
      return os << "(nil)";
    case RespValue::kArray:
    case RespValue::kMap: {
      os << "[";
      for (size_t k = 0; k < v.arr.size(); ++k) {
        os << (k ? ", " : "") << v.arr[k];
      }
      return os << "]";
    }
    case RespValue::kError:
      return os << "(error) " << v.str;
    default:
      return os << '"' << v.str << '"';
  }
}

inline RespValue ParseResp(std::string_view in, size_t* pos) {
  RespValue v;
  char t = in[*pos];
  size_t eol = in.find("\r\n", *pos);
  std::string line(in.substr(*pos + 1, eol - *pos - 1));
  *pos = eol + 2;
  switch (t) {
    case '+':
      v.type = RespValue::kStatus;
      v.str = line;
      break;
    case '-':
      v.type = RespValue::kError;
      v.str = line;
      break;
    case ':':
      v.type = RespValue::kInt;
      v.i = std::stoll(line);
      break;
    case ',':
      v.type = RespValue::kDouble;
      v.str = line;
      break;
    case '#':
      v.type = RespValue::kBool;
      v.i = line == "t";
      break;
    case '_':
      v.type = RespValue::kNil;
      break;
    case '$':
    case '=': {
      int64_t n = std::stoll(line);
      if (n < 0) {
        v.type = RespValue::kNil;
        break;
      }
      v.type = RespValue::kBulk;
      v.str = std::string(in.substr(*pos, static_cast<size_t>(n)));
      if (t == '=') {
        v.str = v.str.substr(4);
      }
      *pos += static_cast<size_t>(n) + 2;
      break;
    }
    default: {  // * % ~ >
      int64_t n = std::stoll(line);
      if (n < 0) {
        v.type = RespValue::kNil;
        break;
      }
      v.type = t == '%' ? RespValue::kMap : RespValue::kArray;
      if (t == '%') {
        n *= 2;
      }
      for (int64_t k = 0; k < n; ++k) {
        v.arr.push_back(ParseResp(in, pos));
      }
    }
  }
  return v;
}

/// Records what the engine sends a blocked or subscribed session outside of a reply.
struct FakeSink : SessionSink {
  std::string got;
  int wakes = 0;
  void Deliver(std::string_view b) override { got.append(b); }
  void Wake(Session&) override { wakes++; }
};

class EngineTest : public ::testing::Test {
 protected:
  static constexpr int64_t kStartMs = 1700000000000;

  explicit EngineTest(InstanceConfig cfg = {}) : inst_(std::move(cfg)) {
    inst_.clock().SetForTest(kStartMs);
    session_.id = 1;
  }

  RespValue Run(std::initializer_list<std::string_view> args) {
    return Run(std::vector<std::string>(args.begin(), args.end()));
  }
  RespValue Run(const std::vector<std::string>& args) {
    return RunOn(session_, args);
  }
  RespValue RunOn(Session& s, const std::vector<std::string>& args) {
    std::vector<std::string_view> views(args.begin(), args.end());
    std::string out;
    resp::Writer w(&out, s.protocol);
    Dispatch(inst_, s, views, w);
    last_raw_ = out;
    if (out.empty()) {
      return RespValue{};
    }
    size_t pos = 0;
    return ParseResp(out, &pos);
  }
  void AdvanceMs(int64_t ms) { inst_.clock().AdvanceForTest(ms); }
  int64_t UsedMemory() const { return inst_.used_memory(); }

  Instance inst_;
  Session session_;
  std::string last_raw_;
};

}  // namespace mr::engine
