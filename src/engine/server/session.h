// Per-connection state the engine reads and updates (selected db, RESP version, MULTI queue,
// WATCH set, subscriptions, blocked command). Owned by the network layer, one per connection.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "resp/writer.h"

namespace mr::engine {

struct Session;

/// Implemented by the network layer: how the engine reaches a connection outside of a reply.
class SessionSink {
 public:
  virtual ~SessionSink() = default;
  /// Bytes to send now: pub/sub pushes, or the reply of a blocked command that got served or
  /// timed out. Called on the shard thread.
  virtual void Deliver(std::string_view resp_bytes) = 0;
  /// The session stopped being blocked (served, timed out or unblocked): resume reading its input.
  virtual void Wake(Session& session) = 0;
};

struct Session {
  uint64_t id = 0;
  int db = 0;
  resp::Protocol protocol = resp::Protocol::kResp2;
  bool authenticated = true;
  std::string name;
  std::string addr;  // "ip:port" of the client, set by the network layer (CLIENT LIST, SLOWLOG)
  SessionSink* sink = nullptr;  // required for pub/sub and blocking commands

  // MULTI/EXEC
  bool in_multi = false;
  bool multi_error = false;  // a command failed to queue: EXEC answers EXECABORT
  std::vector<std::vector<std::string>> queued;

  // WATCH: (db, key) pairs; dirty once any of them is modified.
  std::vector<std::pair<int, std::string>> watched;
  bool watch_dirty = false;

  // Pub/sub
  std::set<std::string> channels;
  std::set<std::string> patterns;
  size_t subscriptions() const { return channels.size() + patterns.size(); }

  // A blocked BLPOP/BLMOVE/BZPOP*: the command to retry and its deadline (0 = forever).
  bool blocked = false;
  std::vector<std::string> blocked_args;
  int64_t blocked_deadline_ms = 0;
  int blocked_db = 0;
  int64_t resume_deadline_ms = -1;  // >= 0 while the engine retries a blocked command

  bool close_after_reply = false;  // set by QUIT
};

}  // namespace mr::engine
