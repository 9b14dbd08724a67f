#include "common/ids.h"

#include <algorithm>
#include <cstdint>
#include <random>

namespace mr::ids {
namespace {

uint64_t NextRandom() {
  // xorshift64*, seeded per thread from the OS; ids need uniqueness, not secrecy.
  thread_local uint64_t state = [] {
    std::random_device rd;
    return (static_cast<uint64_t>(rd()) << 32) ^ rd() ^ 0x9E3779B97F4A7C15ull;
  }();
  state ^= state >> 12;
  state ^= state << 25;
  state ^= state >> 27;
  return state * 0x2545F4914F6CDD1Dull;
}

bool IsHex(std::string_view s, size_t len) {
  return s.size() == len && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         }) && s.find_first_not_of('0') != std::string_view::npos;
}

}  // namespace

std::string RandomHex(size_t bytes) {
  static const char kHex[] = "0123456789abcdef";
  std::string out(bytes * 2, '0');
  char* p = out.data();
  for (size_t i = 0; i < bytes; i += 8) {
    uint64_t r = NextRandom();
    for (size_t j = 0; j < 8 && i + j < bytes; ++j, r >>= 8) {
      *p++ = kHex[(r >> 4) & 15];
      *p++ = kHex[r & 15];
    }
  }
  return out;
}

bool ParseTraceParent(std::string_view h, TraceParent* out) {
  // version(2) - trace(32) - parent(16) - flags(2) = 55 chars
  if (h.size() != 55 || h.substr(0, 3) != "00-" || h[35] != '-' || h[52] != '-') {
    return false;
  }
  std::string_view trace = h.substr(3, 32), parent = h.substr(36, 16), flags = h.substr(53, 2);
  bool flags_hex = std::all_of(flags.begin(), flags.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
  });
  if (!IsHex(trace, 32) || !IsHex(parent, 16) || !flags_hex) {
    return false;
  }
  out->trace_id = trace;
  out->parent_id = parent;
  out->flags = flags;
  return true;
}

std::string FormatTraceParent(const TraceParent& tp) {
  return "00-" + tp.trace_id + "-" + tp.parent_id + "-" + tp.flags;
}

bool IsAcceptableRequestId(std::string_view id) {
  return !id.empty() && id.size() <= 128 && std::all_of(id.begin(), id.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
  });
}

}  // namespace mr::ids
