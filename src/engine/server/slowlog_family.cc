// SLOWLOG, LATENCY (the "command" event) and LASTSAVE over the instance's CommandLog.
#include <string>

#include "engine/server/command_context.h"
#include "engine/server/families.h"

namespace mr::engine {
namespace {

void CmdSlowlog(CmdArgs args, CommandContext& c) {
  CommandLog& log = c.inst.command_log();
  std::string_view sub = args[1];
  if (EqualsNoCase(sub, "len") && args.size() == 2) {
    return c.w.Integer(static_cast<int64_t>(log.slowlog().size()));
  }
  if (EqualsNoCase(sub, "reset") && args.size() == 2) {
    log.ResetSlowlog();
    return ReplyOk(c);
  }
  if (EqualsNoCase(sub, "get") && args.size() <= 3) {
    int64_t count = 10;
    if (args.size() == 3 && (!ParseInt(args[2], &count) || count < -1)) {
      return c.w.Error("ERR count should be greater than or equal to -1");
    }
    size_t n = count == -1 ? log.slowlog().size()
                           : std::min(log.slowlog().size(), static_cast<size_t>(count));
    c.w.ArrayHeader(n);
    for (size_t i = 0; i < n; ++i) {
      const SlowlogEntry& e = log.slowlog()[i];
      c.w.ArrayHeader(6);
      c.w.Integer(static_cast<int64_t>(e.id));
      c.w.Integer(e.time_s);
      c.w.Integer(e.duration_us);
      c.w.ArrayHeader(e.args.size());
      for (const auto& a : e.args) {
        c.w.Bulk(a);
      }
      c.w.Bulk(e.client_addr);
      c.w.Bulk(e.client_name);
    }
    return;
  }
  if (EqualsNoCase(sub, "help") && args.size() == 2) {
    c.w.ArrayHeader(4);
    c.w.SimpleString("SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
    c.w.SimpleString("GET [<count>]  -- Return top <count> entries (default 10, -1 for all).");
    c.w.SimpleString("LEN  -- Return the length of the slowlog.");
    c.w.SimpleString("RESET  -- Reset the slowlog.");
    return;
  }
  c.w.Error("ERR unknown subcommand or wrong number of arguments for '" + std::string(sub) +
            "'. Try SLOWLOG HELP.");
}

void CmdLatency(CmdArgs args, CommandContext& c) {
  CommandLog& log = c.inst.command_log();
  std::string_view sub = args[1];
  const auto& hist = log.latency_history();
  if (EqualsNoCase(sub, "latest") && args.size() == 2) {
    if (hist.empty()) {
      return c.w.ArrayHeader(0);
    }
    c.w.ArrayHeader(1);
    c.w.ArrayHeader(4);
    c.w.Bulk("command");
    c.w.Integer(hist.back().time_s);
    c.w.Integer(hist.back().ms);
    c.w.Integer(log.latency_max_ms());
    return;
  }
  if (EqualsNoCase(sub, "history") && args.size() == 3) {
    if (!EqualsNoCase(args[2], "command")) {
      return c.w.ArrayHeader(0);
    }
    c.w.ArrayHeader(hist.size());
    for (const auto& s : hist) {
      c.w.ArrayHeader(2);
      c.w.Integer(s.time_s);
      c.w.Integer(s.ms);
    }
    return;
  }
  if (EqualsNoCase(sub, "reset")) {
    bool all = args.size() == 2;
    bool named = false;
    for (size_t i = 2; i < args.size(); ++i) {
      named |= EqualsNoCase(args[i], "command");
    }
    int64_t had = hist.empty() ? 0 : 1;
    if (all || named) {
      log.ResetLatency();
      return c.w.Integer(had);
    }
    return c.w.Integer(0);
  }
  c.w.Error("ERR unknown subcommand or wrong number of arguments for '" + std::string(sub) +
            "'. Try LATENCY HELP.");
}

}  // namespace

void RegisterSlowlogFamily(CommandRegistry* r) {
  using namespace co;
  *r << CommandId{"slowlog", ADMIN, -2, 0, 0, 0, CmdSlowlog}
     << CommandId{"latency", ADMIN, -2, 0, 0, 0, CmdLatency};
}

}  // namespace mr::engine
