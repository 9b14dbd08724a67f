// Runs the exec API's commands on an instance, on its shard thread: one command, a pipeline of
// them, or a transaction (MULTI/EXEC through the engine, so queueing rules and the change log's
// MULTI/EXEC bracket are exactly a connection's).
#pragma once

#include <string>
#include <vector>

namespace mr::engine {
class Instance;
}

namespace mr::services {

using Command = std::vector<std::string>;

/// Why the exec API cannot run `command` (blocking, pub/sub, MULTI/EXEC/WATCH and connection
/// commands need a persistent connection), as a Redis error text; empty when it can.
std::string ExecRefusal(const Command& command);

struct BatchReplies {
  std::vector<std::string> replies;  // one RESP2 reply per command, in order
  bool aborted = false;  // a transaction that did not run (EXECABORT or MULTI refused)
};

/// Runs `commands` in order in one fresh session and commits the change log once at the end
/// (nothing is acknowledged before it is logged). With `transaction`, they run as MULTI ...
/// EXEC: a command that fails to queue (unknown, wrong arity, refused, over the rate limit)
/// keeps its own error and every other command answers EXECABORT; runtime errors (WRONGTYPE)
/// fail only their command. Call on the instance's shard thread.
BatchReplies RunBatch(engine::Instance& instance, const std::vector<Command>& commands,
                      bool transaction);

}  // namespace mr::services
