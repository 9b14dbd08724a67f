// The pure half of the REST data API (Upstash's protocol): request bodies and paths to Redis
// commands, node-manager's exec answers to Upstash's JSON. No network, so tests and a fuzzer
// drive it directly.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace mr::services::gateway {

using RestCommand = std::vector<std::string>;

/// Commands in one /pipeline or /multi-exec request (node-manager's batch limit).
inline constexpr size_t kMaxRestBatch = 1000;

/// `POST /rest/{id}`: one JSON array of strings, numbers and booleans. A number keeps the exact
/// text the client sent (what JavaScript's String(n) gives for JSON.stringify'd numbers), a
/// boolean becomes "true"/"false". Returns the Redis-style error text, empty on success.
std::string ParseRestCommand(std::string_view body, RestCommand* out);

/// `/pipeline` and `/multi-exec`: a JSON array of 1..`max` such arrays.
std::string ParseRestBatch(std::string_view body, size_t max, std::vector<RestCommand>* out);

/// Upstash's path form: `tail` is the path after /rest/{id}/ (e.g. "set/foo/bar"), segments
/// percent-decoded ('+' stays '+'); a non-empty `body` is appended as the last argument, then
/// the query's parameters (other than _token) as NAME VALUE pairs in their order, NAME alone
/// when it has no '='. Example: POST /set/foo?EX=100 with body v is SET foo v EX 100.
RestCommand PathCommand(std::string_view tail, std::string_view raw_query, std::string_view body);

/// The token of `?_token=...` in a raw query, percent-decoded; empty when absent.
std::string QueryToken(std::string_view raw_query);

/// node-manager's exec body for `commands`: {"commands": [...], "transaction", "encoding"}.
std::string ExecBody(const std::vector<RestCommand>& commands, bool transaction, bool base64);

enum class RestShape { kSingle, kPipeline, kTransaction };
struct RestAnswer {
  int status = 200;
  std::string body;
};
/// Upstash's answer from node-manager's {"results": [{"result"}|{"error"}], "aborted"}:
/// one command {"result": x} (200) or {"error": "..."} (400); a pipeline or transaction the
/// array of results (200); a discarded transaction 400 {"error": "EXECABORT ...: <why>"}.
/// False when the answer cannot be read.
bool UpstashAnswer(std::string_view exec_answer, RestShape shape, RestAnswer* out);

/// Upstash's error body {"error": message}.
std::string ErrorBody(std::string_view message);

}  // namespace mr::services::gateway
