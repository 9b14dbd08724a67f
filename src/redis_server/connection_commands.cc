// The CONNECTION-flagged commands this layer answers because they need the connection or the
// instance's password: AUTH, HELLO and CLIENT. Replies match Redis 7.0 byte for byte.
#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "engine/server/command_context.h"
#include "redis_server/connection.h"
#include "redis_server/instance_directory.h"

namespace mr::redis_server {

namespace {

using engine::EqualsNoCase;

constexpr std::string_view kWrongPass =
    "WRONGPASS invalid username-password pair or user is disabled.";

// Redis' clientSetName rule, shared by CLIENT SETNAME, HELLO SETNAME and CLIENT SETINFO.
bool ValidName(std::string_view name) {
  for (char ch : name) {
    if (ch < '!' || ch > '~') {
      return false;
    }
  }
  return true;
}

void ReplySubcommandArity(resp::Writer& w, std::string_view sub) {
  std::string msg = "ERR wrong number of arguments for 'client|";
  for (char ch : sub) {
    msg.push_back(static_cast<char>(ch >= 'A' && ch <= 'Z' ? ch + 32 : ch));
  }
  msg.append("' command");
  w.Error(msg);
}

// Subcommand name, arity (negative: at least), in the order CLIENT HELP lists them.
struct ClientSub {
  std::string_view name;
  int arity;
};
constexpr ClientSub kClientSubs[] = {
    {"id", 2},        {"getname", 2},  {"setname", 3},  {"info", 2},      {"list", -2},
    {"kill", -3},     {"reply", 3},    {"no-evict", 3}, {"no-touch", 3},  {"setinfo", 4},
    {"help", 2},      {"pause", -3},   {"unpause", 2},  {"unblock", -3},  {"tracking", -3},
    {"caching", 3},   {"getredir", 2}, {"trackinginfo", 2},
};

constexpr std::string_view kClientHelp[] = {
    "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "GETNAME",
    "    Return the name of the current connection.",
    "ID",
    "    Return the ID of the current connection.",
    "INFO",
    "    Return information about the current client connection.",
    "KILL <ip:port>",
    "    Kill connection made from <ip:port>.",
    "KILL <option> <value> [<option> <value> [...]]",
    "    Kill connections of this instance. Options are:",
    "    * ID <client-id>",
    "      Kill connections by client id.",
    "    * ADDR <ip:port>",
    "      Kill connections made from the specified address",
    "    * LADDR <ip:port>",
    "      Kill connections made to specified local address",
    "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
    "      Kill connections by type.",
    "    * USER <username>",
    "      Kill connections authenticated by <username>.",
    "    * SKIPME (YES|NO)",
    "      Skip killing current connection (default: yes).",
    "LIST [options ...]",
    "    Return information about client connections. Options:",
    "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
    "      Return clients of specified type.",
    "    * ID <client-id> [<client-id> ...]",
    "      Return clients with the given ids.",
    "REPLY (ON|OFF|SKIP)",
    "    Control the replies sent to the current connection.",
    "SETNAME <name>",
    "    Assign the name <name> to the current connection.",
    "SETINFO <LIB-NAME|LIB-VER> <value>",
    "    Set client library name or version.",
    "NO-EVICT (ON|OFF)",
    "    Protect current client connection from eviction.",
    "HELP",
    "    Prints this help.",
};

enum class ClientType { kAny, kNormal, kPubsub, kNone };

bool ParseClientType(std::string_view s, ClientType* out) {
  if (EqualsNoCase(s, "normal")) {
    *out = ClientType::kNormal;
  } else if (EqualsNoCase(s, "pubsub")) {
    *out = ClientType::kPubsub;
  } else if (EqualsNoCase(s, "master") || EqualsNoCase(s, "replica") ||
             EqualsNoCase(s, "slave")) {
    *out = ClientType::kNone;  // an instance has no replication links
  } else {
    return false;
  }
  return true;
}

bool TypeMatches(ClientType t, const Connection& c) {
  switch (t) {
    case ClientType::kAny:
      return true;
    case ClientType::kNormal:
      return !c.is_pubsub();
    case ClientType::kPubsub:
      return c.is_pubsub();
    case ClientType::kNone:
      return false;
  }
  return false;
}

}  // namespace

bool Connection::CheckCredentials(std::string_view user, std::string_view password) {
  // The only ACL user is "default"; on the shared port the instance id names the instance.
  bool known_user = user == "default" || (!served_.access.id.empty() && user == served_.access.id);
  return known_user &&
         PasswordMatches(served_.access.password, served_.access.password_verifier, password);
}

void Connection::CmdAuth(Args args, resp::Writer& w) {
  if (args.size() < 2) {
    return w.Error("ERR wrong number of arguments for 'auth' command");
  }
  if (args.size() > 3) {
    return w.Error("ERR syntax error");
  }
  if (args.size() == 2 && !served_.access.has_password()) {
    return w.Error(
        "ERR AUTH <password> called without any password configured for the default user. Are "
        "you sure your configuration is correct?");
  }
  std::string_view user = args.size() == 2 ? std::string_view("default") : args[1];
  if (!CheckCredentials(user, args.back())) {
    return w.Error(kWrongPass);
  }
  SetAuthenticated(true);
  w.SimpleString("OK");
}

void Connection::CmdHello(Args args, resp::Writer& w) {
  int64_t version = 0;
  size_t i = 1;
  if (args.size() >= 2) {
    if (!engine::ParseInt(args[1], &version)) {
      return w.Error("ERR Protocol version is not an integer or out of range");
    }
    if (version < 2 || version > 3) {
      return w.Error("NOPROTO unsupported protocol version");
    }
    i = 2;
  }
  // Options apply in order, as in Redis: AUTH may succeed before a bad SETNAME fails.
  for (; i < args.size(); ++i) {
    size_t more = args.size() - 1 - i;
    if (EqualsNoCase(args[i], "auth") && more >= 2) {
      if (!CheckCredentials(args[i + 1], args[i + 2])) {
        return w.Error(kWrongPass);
      }
      SetAuthenticated(true);
      i += 2;
    } else if (EqualsNoCase(args[i], "setname") && more >= 1) {
      if (!ValidName(args[i + 1])) {
        return w.Error("ERR Client names cannot contain spaces, newlines or special characters.");
      }
      session_.name.assign(args[i + 1]);
      ++i;
    } else {
      return w.Error("ERR Syntax error in HELLO option '" + std::string(args[i]) + "'");
    }
  }
  if (!session_.authenticated) {
    return w.Error(
        "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO "
        "AUTH <user> <pass> option can be used to authenticate the client and select the RESP "
        "protocol version at the same time");
  }
  if (version != 0) {
    session_.protocol = version == 3 ? resp::Protocol::kResp3 : resp::Protocol::kResp2;
    w.set_protocol(session_.protocol);
  }
  w.MapHeader(7);
  w.Bulk("server");
  w.Bulk("redis");
  w.Bulk("version");
  w.Bulk("7.0.0");  // what the engine's INFO reports as redis_version
  w.Bulk("proto");
  w.Integer(static_cast<int64_t>(session_.protocol));
  w.Bulk("id");
  w.Integer(static_cast<int64_t>(session_.id));
  w.Bulk("mode");
  w.Bulk("standalone");
  w.Bulk("role");
  w.Bulk("master");
  w.Bulk("modules");
  w.ArrayHeader(0);
}

void Connection::CmdClient(Args args, resp::Writer& w) {
  if (args.size() < 2) {
    return w.Error("ERR wrong number of arguments for 'client' command");
  }
  std::string_view sub = args[1];
  const ClientSub* found = nullptr;
  for (const ClientSub& s : kClientSubs) {
    if (EqualsNoCase(sub, s.name)) {
      found = &s;
      break;
    }
  }
  if (found == nullptr) {
    return w.Error("ERR unknown subcommand '" + std::string(sub.substr(0, 128)) +
                   "'. Try CLIENT HELP.");
  }
  size_t argc = args.size();
  bool arity_ok = found->arity >= 0 ? argc == static_cast<size_t>(found->arity)
                                    : argc >= static_cast<size_t>(-found->arity);
  if (!arity_ok) {
    return ReplySubcommandArity(w, sub);
  }
  std::string full = "client|" + std::string(found->name);  // CLIENT LIST's cmd=client|list
  std::memcpy(last_cmd_, full.data(), full.size());
  last_cmd_len_ = static_cast<uint8_t>(full.size());

  ClientSubcommand(found->name, args, w);
}

void Connection::ClientSubcommand(std::string_view name, Args args, resp::Writer& w) {
  if (name == "id") {
    return w.Integer(static_cast<int64_t>(session_.id));
  }
  if (name == "getname") {
    return session_.name.empty() ? w.Null() : w.Bulk(session_.name);
  }
  if (name == "setname") {
    if (!ValidName(args[2])) {
      return w.Error("ERR Client names cannot contain spaces, newlines or special characters.");
    }
    session_.name.assign(args[2]);
    return w.SimpleString("OK");
  }
  if (name == "info") {
    std::string line;
    AppendInfo(&line);
    line.push_back('\n');
    return w.Verbatim("txt", line);
  }
  if (name == "list") {
    return ClientList(args, w);
  }
  if (name == "kill") {
    return ClientKill(args, w);
  }
  if (name == "reply") {
    return ClientReply(args, w);
  }
  if (name == "no-evict" || name == "no-touch") {
    if (!EqualsNoCase(args[2], "on") && !EqualsNoCase(args[2], "off")) {
      return w.Error("ERR syntax error");
    }
    if (name == "no-evict") {
      no_evict_ = EqualsNoCase(args[2], "on");
    }
    return w.SimpleString("OK");
  }
  if (name == "setinfo") {
    return ClientSetInfo(args, w);
  }
  if (name == "help") {
    w.ArrayHeader(std::size(kClientHelp));
    for (std::string_view line : kClientHelp) {
      w.SimpleString(line);
    }
    return;
  }
  w.Error("ERR CLIENT " + std::string(name) + " is not supported by MiniRedis instances");
}

void Connection::ClientList(Args args, resp::Writer& w) {
  ClientType type = ClientType::kAny;
  std::vector<uint64_t> ids;
  if (args.size() == 4 && EqualsNoCase(args[2], "type")) {
    if (!ParseClientType(args[3], &type)) {
      return w.Error("ERR Unknown client type '" + std::string(args[3]) + "'");
    }
  } else if (args.size() > 3 && EqualsNoCase(args[2], "id")) {
    for (size_t i = 3; i < args.size(); ++i) {
      int64_t id;
      if (!engine::ParseInt(args[i], &id) || id <= 0) {
        return w.Error("ERR Invalid client ID");
      }
      ids.push_back(static_cast<uint64_t>(id));
    }
  } else if (args.size() != 2) {
    return w.Error("ERR syntax error");
  }
  std::string text;
  for (const auto& [id, conn] : served_.connections) {
    if (!TypeMatches(type, *conn)) {
      continue;
    }
    if (!ids.empty() && std::find(ids.begin(), ids.end(), id) == ids.end()) {
      continue;
    }
    conn->AppendInfo(&text);
    text.push_back('\n');
  }
  w.Verbatim("txt", text);
}

namespace {

// CLIENT KILL's filters (Redis 7.0): every given one must match.
struct KillFilter {
  uint64_t id = 0;
  std::string_view addr;
  std::string_view laddr;
  ClientType type = ClientType::kAny;
  bool skipme = true;
};

// Parses `CLIENT KILL <option> <value> ...`; on error replies it and returns false.
bool ParseKillFilter(Args args, KillFilter* f, resp::Writer& w) {
  if (args.size() % 2 != 0) {
    w.Error("ERR syntax error");
    return false;
  }
  for (size_t i = 2; i < args.size(); i += 2) {
    std::string_view opt = args[i], val = args[i + 1];
    if (EqualsNoCase(opt, "id")) {
      int64_t id;
      if (!engine::ParseInt(val, &id) || id <= 0) {
        w.Error("ERR client-id should be greater than 0");
        return false;
      }
      f->id = static_cast<uint64_t>(id);
    } else if (EqualsNoCase(opt, "addr")) {
      f->addr = val;
    } else if (EqualsNoCase(opt, "laddr")) {
      f->laddr = val;
    } else if (EqualsNoCase(opt, "type")) {
      if (!ParseClientType(val, &f->type)) {
        w.Error("ERR Unknown client type '" + std::string(val) + "'");
        return false;
      }
    } else if (EqualsNoCase(opt, "user")) {
      if (val != "default") {  // the only user there is
        w.Error("ERR No such user '" + std::string(val) + "'");
        return false;
      }
    } else if (EqualsNoCase(opt, "skipme") &&
               (EqualsNoCase(val, "yes") || EqualsNoCase(val, "no"))) {
      f->skipme = EqualsNoCase(val, "yes");
    } else {
      w.Error("ERR syntax error");
      return false;
    }
  }
  return true;
}

}  // namespace

void Connection::ClientKill(Args args, resp::Writer& w) {
  std::vector<Connection*> victims;
  const bool old_form = args.size() == 3;  // CLIENT KILL ip:port
  if (old_form) {
    for (const auto& [id, conn] : served_.connections) {
      if (conn->addr() == args[2]) {
        victims.push_back(conn);
      }
    }
    if (victims.empty()) {
      return w.Error("ERR No such client");
    }
  } else {
    KillFilter f;
    if (!ParseKillFilter(args, &f, w)) {
      return;
    }
    for (const auto& [id, conn] : served_.connections) {
      if ((f.id != 0 && id != f.id) || (!f.addr.empty() && conn->addr() != f.addr) ||
          (!f.laddr.empty() && conn->laddr() != f.laddr) || !TypeMatches(f.type, *conn) ||
          (f.skipme && conn == this)) {
        continue;
      }
      victims.push_back(conn);
    }
  }
  for (Connection* c : victims) {
    if (c == this) {
      close_after_write_ = true;  // Redis answers the killer first, even when it is itself
    } else {
      c->Close();
    }
  }
  if (old_form) {
    return w.SimpleString("OK");
  }
  w.Integer(static_cast<int64_t>(victims.size()));
}

void Connection::ClientReply(Args args, resp::Writer& w) {
  if (EqualsNoCase(args[2], "on")) {
    reply_mode_ = ReplyMode::kOn;
    skip_next_ = skip_current_ = false;
    return w.SimpleString("OK");
  }
  if (EqualsNoCase(args[2], "off")) {
    reply_mode_ = ReplyMode::kOff;
    return;
  }
  if (EqualsNoCase(args[2], "skip")) {
    if (reply_mode_ == ReplyMode::kOn) {
      skip_next_ = true;
    }
    return;
  }
  w.Error("ERR syntax error");
}

void Connection::ClientSetInfo(Args args, resp::Writer& w) {
  std::string_view attr = args[2];
  std::string* field = nullptr;
  if (EqualsNoCase(attr, "lib-name")) {
    field = &lib_name_;
  } else if (EqualsNoCase(attr, "lib-ver")) {
    field = &lib_ver_;
  } else {
    return w.Error("ERR Unrecognized option '" + std::string(attr) + "'");
  }
  if (!ValidName(args[3])) {
    std::string lower = field == &lib_name_ ? "lib-name" : "lib-ver";
    return w.Error("ERR " + lower + " cannot contain spaces, newlines or special characters.");
  }
  field->assign(args[3]);
  w.SimpleString("OK");
}

void Connection::AppendInfo(std::string* out) const {
  int64_t now = shard_.now_s();
  std::string flags;
  if (session_.subscriptions() > 0) {
    flags += 'P';
  }
  if (session_.blocked) {
    flags += 'b';
  }
  if (session_.in_multi) {
    flags += 'x';
  }
  if (no_evict_) {
    flags += 'e';
  }
  if (flags.empty()) {
    flags = "N";
  }
  std::string cmd(last_cmd_, last_cmd_len_);
  for (char& ch : cmd) {
    ch = static_cast<char>(ch >= 'A' && ch <= 'Z' ? ch + 32 : ch);
  }
  size_t obuf = out_.size() + writing_.size();
  auto num = [](auto v) { return std::to_string(v); };
  int fd = const_cast<tcp::socket&>(socket_).native_handle();
  out->append("id=" + num(session_.id) + " addr=" + session_.addr + " laddr=" + laddr_ +
              " fd=" + num(fd) + " name=" + session_.name + " age=" + num(now - created_s_) +
              " idle=" + num(now - last_interaction_s_) + " flags=" + flags +
              " db=" + num(session_.db) + " sub=" + num(session_.channels.size()) +
              " psub=" + num(session_.patterns.size()) + " ssub=0" +
              " multi=" + (session_.in_multi ? num(session_.queued.size()) : std::string("-1")) +
              " qbuf=" + num(in_.size()) + " qbuf-free=" + num(in_.capacity() - in_.size()) +
              " argv-mem=0 multi-mem=0 rbs=" + num(in_.capacity()) + " rbp=" + num(in_.size()) +
              " obl=" + num(obuf) + " oll=0 omem=" + num(obuf) +
              " tot-mem=" + num(in_.capacity() + out_.capacity() + writing_.capacity()) +
              " events=" + (write_pending_ ? "rw" : "r") + " cmd=" + (cmd.empty() ? "NULL" : cmd) +
              " user=default redir=-1 resp=" + num(static_cast<int>(session_.protocol)) +
              " lib-name=" + lib_name_ + " lib-ver=" + lib_ver_);
}

}  // namespace mr::redis_server
