// The engine's public entry point for the network layer: run one command of a session against an
// instance, run the shard's periodic work, and open/close sessions. Everything on the shard thread.
#pragma once

#include <chrono>
#include <span>
#include <string>
#include <string_view>

#include "engine/server/command_registry.h"
#include "engine/server/instance.h"
#include "engine/server/session.h"
#include "resp/writer.h"

namespace mr::engine {

/// Executes one command (args[0] is the name, any case) and appends its reply to `w`. The writer's
/// protocol should follow session.protocol (HELLO changes both). Blocked commands append nothing
/// and reply later through session.sink->Deliver; pub/sub pushes go through the sink as well.
void Dispatch(Instance& inst, Session& session, std::span<const std::string_view> args,
              resp::Writer& w);

/// Applies one command read back from a change log, with the instance in loading mode
/// (inst.set_loading(true) around the whole restore). False when the command is unknown, has the
/// wrong arity, cannot come from a log (blocking, pub/sub, connection, MULTI/EXEC) or replied
/// with an error. `scratch` receives the reply.
bool Replay(Instance& inst, Session& session, CmdArgs args, std::string* scratch);

/// Periodic shard work for one instance (call every ~100 ms): sampled active expiry bounded by
/// `budget`, incremental rehash steps, and timeouts of blocked sessions.
void RunActiveExpiry(Instance& inst,
                     std::chrono::microseconds budget = std::chrono::microseconds(1000));

/// Counts a new connection; call before its first Dispatch.
void OpenSession(Instance& inst, Session& session);
/// Drops the session from WATCH, blocking and pub/sub registries; call before destroying it.
void CloseSession(Instance& inst, Session& session);

/// Metadata lookup (arity, flags, key positions) without executing; nullptr when unknown.
inline const CommandId* FindCommand(std::string_view name) { return Commands().Find(name); }

}  // namespace mr::engine
