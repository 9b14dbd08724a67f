// Request and trace identifiers: random hex ids and W3C traceparent parsing/formatting.
#pragma once

#include <string>
#include <string_view>

namespace mr::ids {

/// `bytes` random bytes as lowercase hex (fast, non-cryptographic: ids, not secrets).
std::string RandomHex(size_t bytes);

struct TraceParent {
  std::string trace_id;   // 32 hex
  std::string parent_id;  // 16 hex
  std::string flags = "01";
};

/// Parses "00-<32 hex>-<16 hex>-<2 hex>"; false for anything else (all-zero ids are invalid).
bool ParseTraceParent(std::string_view header, TraceParent* out);
std::string FormatTraceParent(const TraceParent& tp);

/// A client-supplied X-Request-Id is kept only when it is 1..128 chars of [A-Za-z0-9._-].
bool IsAcceptableRequestId(std::string_view id);

}  // namespace mr::ids
