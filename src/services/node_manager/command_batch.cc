#include "services/node_manager/command_batch.h"

#include "engine/server/engine.h"
#include "resp/writer.h"
#include "services/node_manager/reply_json.h"

namespace mr::services {
namespace {

constexpr std::string_view kExecAbort =
    "-EXECABORT Transaction discarded because of previous errors.\r\n";

// RESP2 like Upstash's REST API: HGETALL is a flat array, scores are strings.
std::string Run(engine::Instance& inst, engine::Session& session, const Command& command) {
  std::vector<std::string_view> args(command.begin(), command.end());
  std::string out;
  resp::Writer writer(&out, resp::Protocol::kResp2);
  engine::Dispatch(inst, session, args, writer);
  if (out.empty()) {  // only blocking commands answer later, and those are refused
    writer.Error("ERR the command did not reply");
  }
  return out;
}

std::string ErrorReply(const std::string& message) {
  std::string out;
  resp::Writer(&out, resp::Protocol::kResp2).Error(message);
  return out;
}

bool IsError(const std::string& reply) { return !reply.empty() && reply[0] == '-'; }

void RunTransaction(engine::Instance& inst, engine::Session& session,
                    const std::vector<Command>& commands, BatchReplies* out) {
  std::string multi = Run(inst, session, {"multi"});
  if (IsError(multi)) {  // over the rate limit: nothing is queued, nothing runs
    out->replies.assign(commands.size(), multi);
    out->aborted = true;
    return;
  }
  std::vector<bool> failed(commands.size(), false);
  for (size_t i = 0; i < commands.size(); ++i) {
    std::string refusal = ExecRefusal(commands[i]);
    std::string queued = refusal.empty() ? Run(inst, session, commands[i]) : ErrorReply(refusal);
    if (IsError(queued)) {
      session.multi_error = true;  // refused by us counts as refused by the engine
      out->replies[i] = std::move(queued);
      failed[i] = true;
    }
  }
  std::string exec = Run(inst, session, {"exec"});
  std::vector<std::string_view> items;
  if (!IsError(exec) && SplitArrayReply(exec, &items) && items.size() == commands.size()) {
    for (size_t i = 0; i < items.size(); ++i) {
      out->replies[i].assign(items[i]);
    }
    return;
  }
  out->aborted = true;
  const std::string why = IsError(exec) ? exec : std::string(kExecAbort);
  for (size_t i = 0; i < commands.size(); ++i) {
    if (!failed[i]) {
      out->replies[i] = why;
    }
  }
}

}  // namespace

std::string ExecRefusal(const Command& command) {
  if (command.empty()) {
    return "ERR empty command";
  }
  const engine::CommandId* cmd = engine::FindCommand(command[0]);
  using namespace engine::co;
  if (cmd != nullptr && (cmd->flags & (BLOCKING | PUBSUB | CONNECTION | MULTI_CTRL)) != 0) {
    return "ERR '" + command[0] + "' needs a persistent connection; use a Redis client";
  }
  return "";
}

BatchReplies RunBatch(engine::Instance& inst, const std::vector<Command>& commands,
                      bool transaction) {
  BatchReplies out;
  out.replies.resize(commands.size());
  engine::Session session;
  engine::OpenSession(inst, session);
  if (transaction) {
    RunTransaction(inst, session, commands, &out);
  } else {
    for (size_t i = 0; i < commands.size(); ++i) {
      std::string refusal = ExecRefusal(commands[i]);
      out.replies[i] = refusal.empty() ? Run(inst, session, commands[i]) : ErrorReply(refusal);
    }
  }
  if (engine::ChangeLog* log = inst.change_log(); log != nullptr) {
    log->Commit();  // acknowledged by the API only once logged, as on a connection
  }
  engine::CloseSession(inst, session);
  return out;
}

}  // namespace mr::services
