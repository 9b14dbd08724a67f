// Pub/sub scoped to one instance: SUBSCRIBE UNSUBSCRIBE PSUBSCRIBE PUNSUBSCRIBE PUBLISH PUBSUB.
// Messages reach subscribers through their Session's SessionSink.
#include <string>
#include <vector>

#include "engine/server/command_context.h"
#include "engine/server/families.h"

namespace mr::engine {

namespace {

using namespace co;

void Confirm(CommandContext& c, std::string_view kind, std::string_view ch, bool null_ch) {
  c.w.PushHeader(3);
  c.w.Bulk(kind);
  if (null_ch) {
    c.w.Null();
  } else {
    c.w.Bulk(ch);
  }
  c.w.Integer(static_cast<int64_t>(c.session.subscriptions()));
}

void SubscribeGeneric(CmdArgs args, CommandContext& c, bool pattern) {
  if (c.in_exec) {
    return c.w.Error("ERR " + std::string(c.cmd->name) + " isn't allowed in this context");
  }
  auto& set = pattern ? c.session.patterns : c.session.channels;
  for (size_t i = 1; i < args.size(); ++i) {
    if (set.emplace(args[i]).second) {
      c.inst.Subscribe(&c.session, args[i], pattern);
    }
    Confirm(c, pattern ? "psubscribe" : "subscribe", args[i], false);
  }
}

void UnsubscribeGeneric(CmdArgs args, CommandContext& c, bool pattern) {
  auto& set = pattern ? c.session.patterns : c.session.channels;
  std::string_view kind = pattern ? "punsubscribe" : "unsubscribe";
  std::vector<std::string> targets;
  if (args.size() == 1) {
    targets.assign(set.begin(), set.end());
    if (targets.empty()) {
      return Confirm(c, kind, "", true);
    }
  } else {
    targets.assign(args.begin() + 1, args.end());
  }
  for (const std::string& ch : targets) {
    if (set.erase(ch) > 0) {
      c.inst.Unsubscribe(&c.session, ch, pattern);
    }
    Confirm(c, kind, ch, false);
  }
}

void CmdSubscribe(CmdArgs a, CommandContext& c) { SubscribeGeneric(a, c, false); }
void CmdPSubscribe(CmdArgs a, CommandContext& c) { SubscribeGeneric(a, c, true); }
void CmdUnsubscribe(CmdArgs a, CommandContext& c) { UnsubscribeGeneric(a, c, false); }
void CmdPUnsubscribe(CmdArgs a, CommandContext& c) { UnsubscribeGeneric(a, c, true); }

void CmdPublish(CmdArgs args, CommandContext& c) {
  c.w.Integer(static_cast<int64_t>(c.inst.Publish(args[1], args[2])));
}

void CmdPubSub(CmdArgs args, CommandContext& c) {
  std::string_view sub = args[1];
  if (EqualsNoCase(sub, "channels") && args.size() <= 3) {
    std::vector<std::string> out;
    c.inst.ForEachChannel([&](const std::string& name, size_t) {
      if (args.size() == 2 || GlobMatch(args[2], name)) {
        out.push_back(name);
      }
    });
    c.w.ArrayHeader(out.size());
    for (const std::string& n : out) {
      c.w.Bulk(n);
    }
    return;
  }
  if (EqualsNoCase(sub, "numsub")) {
    c.w.MapHeader(args.size() - 2);
    for (size_t i = 2; i < args.size(); ++i) {
      c.w.Bulk(args[i]);
      c.w.Integer(static_cast<int64_t>(c.inst.Subscribers(args[i])));
    }
    return;
  }
  if (EqualsNoCase(sub, "numpat") && args.size() == 2) {
    return c.w.Integer(static_cast<int64_t>(c.inst.PatternCount()));
  }
  c.w.Error("ERR unknown subcommand \'" + std::string(sub) + "\'. Try PUBSUB HELP.");
}

}  // namespace

void RegisterPubSubFamily(CommandRegistry* r) {
  *r << CommandId{"subscribe", PUBSUB | NOSCRIPT | LOADING | STALE, -2, 0, 0, 0, CmdSubscribe}
     << CommandId{"unsubscribe", PUBSUB | NOSCRIPT | LOADING | STALE, -1, 0, 0, 0, CmdUnsubscribe}
     << CommandId{"psubscribe", PUBSUB | NOSCRIPT | LOADING | STALE, -2, 0, 0, 0, CmdPSubscribe}
     << CommandId{"punsubscribe", PUBSUB | NOSCRIPT | LOADING | STALE, -1, 0, 0, 0,
                  CmdPUnsubscribe}
     << CommandId{"publish", PUBSUB | LOADING | STALE | FAST, 3, 0, 0, 0, CmdPublish}
     << CommandId{"pubsub", PUBSUB | LOADING | STALE, -2, 0, 0, 0, CmdPubSub};
}

}  // namespace mr::engine
