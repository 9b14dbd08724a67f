// Connection commands over the caller-owned Session: PING ECHO HELLO CLIENT QUIT RESET AUTH.
// Password checks belong to the network layer, which answers AUTH / HELLO AUTH itself.
#include <string>

#include "engine/server/command_context.h"
#include "engine/server/families.h"

namespace mr::engine {

namespace {

using namespace co;

void CmdPing(CmdArgs args, CommandContext& c) {
  if (args.size() > 2) {
    return c.w.Error("ERR wrong number of arguments for 'ping' command");
  }
  if (c.session.subscriptions() > 0 && c.session.protocol == resp::Protocol::kResp2) {
    c.w.ArrayHeader(2);
    c.w.Bulk("pong");
    c.w.Bulk(args.size() == 2 ? args[1] : "");
    return;
  }
  return args.size() == 2 ? c.w.Bulk(args[1]) : c.w.SimpleString("PONG");
}

void CmdEcho(CmdArgs args, CommandContext& c) { c.w.Bulk(args[1]); }

void HelloReply(CommandContext& c) {
  c.w.MapHeader(7);
  c.w.Bulk("server");
  c.w.Bulk("redis");
  c.w.Bulk("version");
  c.w.Bulk("7.0.15");
  c.w.Bulk("proto");
  c.w.Integer(static_cast<int>(c.session.protocol));
  c.w.Bulk("id");
  c.w.Integer(static_cast<int64_t>(c.session.id));
  c.w.Bulk("mode");
  c.w.Bulk("standalone");
  c.w.Bulk("role");
  c.w.Bulk("master");
  c.w.Bulk("modules");
  c.w.ArrayHeader(0);
}

void CmdHello(CmdArgs args, CommandContext& c) {
  resp::Protocol proto = c.session.protocol;
  size_t i = 1;
  if (args.size() >= 2) {
    int64_t v;
    if (!ParseInt(args[1], &v)) {
      return c.w.Error("ERR Protocol version is not an integer or out of range");
    }
    if (v != 2 && v != 3) {
      return c.w.Error("NOPROTO unsupported protocol version");
    }
    proto = v == 2 ? resp::Protocol::kResp2 : resp::Protocol::kResp3;
    i = 2;
  }
  std::string name = c.session.name;
  for (; i < args.size(); ++i) {
    if (EqualsNoCase(args[i], "auth") && i + 2 < args.size()) {
      i += 2;  // verified by the network layer before dispatch
    } else if (EqualsNoCase(args[i], "setname") && i + 1 < args.size()) {
      name = std::string(args[++i]);
    } else {
      return c.w.Error("ERR Syntax error in HELLO option '" + std::string(args[i]) + "'");
    }
  }
  c.session.protocol = proto;
  c.session.name = name;
  c.w.set_protocol(proto);
  HelloReply(c);
}

void CmdAuth(CmdArgs, CommandContext& c) {
  c.w.Error(
      "ERR AUTH <password> called without any password configured for the default user. Are you "
      "sure your configuration is correct?");
}

void CmdClient(CmdArgs args, CommandContext& c) {
  std::string_view sub = args[1];
  if (EqualsNoCase(sub, "id") && args.size() == 2) {
    return c.w.Integer(static_cast<int64_t>(c.session.id));
  }
  if (EqualsNoCase(sub, "getname") && args.size() == 2) {
    return c.session.name.empty() ? c.w.Null() : c.w.Bulk(c.session.name);
  }
  if (EqualsNoCase(sub, "setname") && args.size() == 3) {
    for (char ch : args[2]) {
      if (ch < '!' || ch > '~') {
        return c.w.Error("ERR Client names cannot contain spaces, newlines or special characters.");
      }
    }
    c.session.name = std::string(args[2]);
    return ReplyOk(c);
  }
  if ((EqualsNoCase(sub, "info") && args.size() == 2) || (EqualsNoCase(sub, "list"))) {
    std::string line = "id=" + std::to_string(c.session.id) + " name=" + c.session.name +
                       " db=" + std::to_string(c.session.db) +
                       " sub=" + std::to_string(c.session.channels.size()) +
                       " psub=" + std::to_string(c.session.patterns.size()) +
                       " multi=" +
                       (c.session.in_multi ? std::to_string(c.session.queued.size()) : "-1") +
                       " resp=" + std::to_string(static_cast<int>(c.session.protocol)) + "\n";
    return c.w.Verbatim("txt", line);
  }
  if ((EqualsNoCase(sub, "no-evict") || EqualsNoCase(sub, "no-touch")) && args.size() == 3) {
    return ReplyOk(c);
  }
  if (EqualsNoCase(sub, "kill") || EqualsNoCase(sub, "pause") || EqualsNoCase(sub, "unpause")) {
    return c.w.Error("ERR CLIENT " + std::string(sub) + " is not allowed in a MiniRedis instance");
  }
  c.w.Error("ERR unknown subcommand \'" + std::string(sub) + "\'. Try CLIENT HELP.");
}

void CmdQuit(CmdArgs, CommandContext& c) {
  c.session.close_after_reply = true;
  ReplyOk(c);
}

void CmdReset(CmdArgs, CommandContext& c) {
  Session& s = c.session;
  s.in_multi = false;
  s.multi_error = false;
  s.queued.clear();
  c.inst.UnwatchAll(&s);
  for (const std::string& ch : s.channels) {
    c.inst.Unsubscribe(&s, ch, false);
  }
  for (const std::string& p : s.patterns) {
    c.inst.Unsubscribe(&s, p, true);
  }
  s.channels.clear();
  s.patterns.clear();
  s.db = 0;
  s.name.clear();
  s.protocol = resp::Protocol::kResp2;
  c.w.set_protocol(s.protocol);
  c.w.SimpleString("RESET");
}

}  // namespace

void RegisterConnectionFamily(CommandRegistry* r) {
  *r << CommandId{"ping", FAST | STALE, -1, 0, 0, 0, CmdPing}
     << CommandId{"echo", FAST, 2, 0, 0, 0, CmdEcho}
     << CommandId{"hello", FAST | NOSCRIPT | LOADING | STALE | CONNECTION, -1, 0, 0, 0, CmdHello}
     << CommandId{"auth", FAST | NOSCRIPT | LOADING | STALE | CONNECTION, -2, 0, 0, 0, CmdAuth}
     << CommandId{"client", NOSCRIPT | LOADING | STALE | CONNECTION, -2, 0, 0, 0, CmdClient}
     << CommandId{"quit", FAST | NOSCRIPT | LOADING | STALE | MULTI_CTRL, -1, 0, 0, 0, CmdQuit}
     << CommandId{"reset", FAST | NOSCRIPT | LOADING | STALE | MULTI_CTRL, 1, 0, 0, 0, CmdReset};
}

}  // namespace mr::engine
