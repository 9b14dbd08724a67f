// The command table: one line of metadata per command (name, flags, arity, key positions) and its
// handler. Built once per process; lookup is a flat hash of the lowercased name, no allocation.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace mr::engine {

struct CommandContext;
using CmdArgs = std::span<const std::string_view>;
using CommandHandler = void (*)(CmdArgs args, CommandContext& ctx);

namespace co {
enum Flag : uint32_t {
  WRITE = 1u << 0,
  READONLY = 1u << 1,
  FAST = 1u << 2,
  DENYOOM = 1u << 3,
  ADMIN = 1u << 4,
  PUBSUB = 1u << 5,
  NOSCRIPT = 1u << 6,
  BLOCKING = 1u << 7,
  LOADING = 1u << 8,
  STALE = 1u << 9,
  NO_MULTI = 1u << 10,   // refused inside MULTI (WATCH)
  MULTI_CTRL = 1u << 11,  // runs immediately inside MULTI (EXEC DISCARD MULTI WATCH QUIT RESET)
  CONNECTION = 1u << 12,  // needs the network layer (session-level, e.g. HELLO AUTH CLIENT)
  MOVABLEKEYS = 1u << 13,  // more keys than first..last, found by parsing (GEORADIUS ... STORE)
};
}  // namespace co

struct CommandId {
  std::string_view name;  // lowercase, as COMMAND INFO reports it
  uint32_t flags;
  int arity;  // negative: at least -arity arguments (command name included)
  int first_key;
  int last_key;  // negative: counted from the end
  int step;
  CommandHandler handler;

  bool IsWrite() const { return (flags & co::WRITE) != 0; }
  bool ArityOk(size_t argc) const {
    return arity >= 0 ? argc == static_cast<size_t>(arity) : argc >= static_cast<size_t>(-arity);
  }
  // Indexes of key arguments for this invocation (first_key..last_key by step).
  template <typename F>
  void ForEachKey(size_t argc, F&& f) const {
    if (first_key <= 0) {
      return;
    }
    int last = last_key < 0 ? static_cast<int>(argc) + last_key : last_key;
    for (int i = first_key; i <= last && i < static_cast<int>(argc); i += step) {
      f(static_cast<size_t>(i));
    }
  }
};

class CommandRegistry {
 public:
  CommandRegistry& operator<<(const CommandId& cmd);
  /// Case-insensitive lookup; nullptr when unknown.
  const CommandId* Find(std::string_view name) const;
  const std::vector<CommandId>& all() const { return cmds_; }
  void Seal();  // builds the lookup table; called once after registration

 private:
  static uint64_t NameHash(std::string_view lower);
  std::vector<CommandId> cmds_;
  std::vector<int32_t> index_;  // open addressing over cmds_
  uint64_t mask_ = 0;
};

/// The process-wide command table with every family registered.
const CommandRegistry& Commands();

}  // namespace mr::engine
