// EVAL EVALSHA EVAL_RO EVALSHA_RO SCRIPT: Lua scripting with Redis 7.0 semantics on top of the
// per-instance ScriptEngine (script_engine.h).
#include <string>

#include "engine/server/command_context.h"
#include "engine/server/families.h"
#include "engine/server/script_engine.h"

namespace mr::engine {

namespace {

using namespace co;

// Validates "numkeys key... arg..." (args[2] on) like Redis; replies and returns false on error.
bool ParseNumKeys(CommandContext& c, CmdArgs args, size_t* numkeys) {
  int64_t n = 0;
  if (!ParseInt(args[2], &n)) {
    ReplyStatus(c, OpStatus::INVALID_INT);
    return false;
  }
  if (n > static_cast<int64_t>(args.size()) - 3) {
    c.w.Error("ERR Number of keys can't be greater than number of args");
    return false;
  }
  if (n < 0) {
    c.w.Error("ERR Number of keys can't be negative");
    return false;
  }
  *numkeys = static_cast<size_t>(n);
  return true;
}

void RunScript(CommandContext& c, CmdArgs args, std::string_view sha, size_t numkeys,
               bool read_only) {
  CmdArgs keys = args.subspan(3, numkeys);
  CmdArgs argv = args.subspan(3 + numkeys);
  c.inst.scripts().Run(c, sha, keys, argv, read_only);
}

void Eval(CmdArgs args, CommandContext& c, bool read_only) {
  size_t numkeys = 0;
  if (!ParseNumKeys(c, args, &numkeys)) {
    return;
  }
  std::string sha, error;
  if (!c.inst.scripts().Load(args[1], &sha, &error)) {
    return c.w.Error(error);
  }
  RunScript(c, args, sha, numkeys, read_only);
}

void EvalSha(CmdArgs args, CommandContext& c, bool read_only) {
  size_t numkeys = 0;
  if (!ParseNumKeys(c, args, &numkeys)) {
    return;
  }
  std::string sha(args[1]);
  for (char& ch : sha) {  // clients may send the digest in upper case
    ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  }
  ScriptEngine* engine = c.inst.scripts_if_exists();
  if (sha.size() != 40 || engine == nullptr || !engine->Exists(sha)) {
    return c.w.Error("NOSCRIPT No matching script. Please use EVAL.");
  }
  RunScript(c, args, sha, numkeys, read_only);
}

void CmdEval(CmdArgs args, CommandContext& c) { Eval(args, c, false); }
void CmdEvalRo(CmdArgs args, CommandContext& c) { Eval(args, c, true); }
void CmdEvalSha(CmdArgs args, CommandContext& c) { EvalSha(args, c, false); }
void CmdEvalShaRo(CmdArgs args, CommandContext& c) { EvalSha(args, c, true); }

void ReplyScriptArity(CommandContext& c, std::string_view sub) {
  std::string name(sub);
  for (char& ch : name) {
    ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  }
  c.w.Error("ERR wrong number of arguments for 'script|" + name + "' command");
}

void ScriptHelp(CommandContext& c) {
  static constexpr std::string_view kLines[] = {
      "SCRIPT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "EXISTS <sha1> [<sha1> ...]",
      "    Return information about the existence of the scripts in the script cache.",
      "FLUSH [ASYNC|SYNC]",
      "    Flush the Lua scripts cache. Very dangerous on replicas.",
      "    When called without the optional mode argument, the behavior is determined by the",
      "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
      "    * ASYNC: Asynchronously flush the scripts cache.",
      "    * SYNC: Synchronously flush the scripts cache.",
      "KILL",
      "    Kill the currently executing Lua script.",
      "LOAD <script>",
      "    Load a script into the scripts cache without executing it.",
      "HELP",
      "    Prints this help.",
  };
  c.w.ArrayHeader(std::size(kLines));
  for (std::string_view line : kLines) {
    c.w.SimpleString(line);
  }
}

void CmdScript(CmdArgs args, CommandContext& c) {
  std::string_view sub = args[1];
  if (EqualsNoCase(sub, "load")) {
    if (args.size() != 3) {
      return ReplyScriptArity(c, sub);
    }
    std::string sha, error;
    if (!c.inst.scripts().Load(args[2], &sha, &error)) {
      return c.w.Error(error);
    }
    return c.w.Bulk(sha);
  }
  if (EqualsNoCase(sub, "exists")) {
    if (args.size() < 3) {
      return ReplyScriptArity(c, sub);
    }
    ScriptEngine* engine = c.inst.scripts_if_exists();  // no interpreter just to answer 0s
    c.w.ArrayHeader(args.size() - 2);
    for (size_t i = 2; i < args.size(); ++i) {
      std::string sha(args[i]);
      for (char& ch : sha) {
        ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      }
      c.w.Integer(engine != nullptr && sha.size() == 40 && engine->Exists(sha) ? 1 : 0);
    }
    return;
  }
  if (EqualsNoCase(sub, "flush")) {
    if (args.size() > 3 ||
        (args.size() == 3 && !EqualsNoCase(args[2], "sync") && !EqualsNoCase(args[2], "async"))) {
      return c.w.Error("ERR SCRIPT FLUSH only support SYNC|ASYNC option");
    }
    c.inst.FlushScripts();  // ASYNC too: closing the interpreter is quick, and frees it now
    return ReplyOk(c);
  }
  if (EqualsNoCase(sub, "kill")) {
    if (args.size() != 2) {
      return ReplyScriptArity(c, sub);
    }
    // A script runs on the shard thread until it returns or hits busy-reply-threshold, so no
    // other command of this instance can ever observe one running.
    return c.w.Error("NOTBUSY No scripts in execution right now.");
  }
  if (EqualsNoCase(sub, "help") && args.size() == 2) {
    return ScriptHelp(c);
  }
  c.w.Error("ERR unknown subcommand '" + std::string(sub.substr(0, 128)) +
            "'. Try SCRIPT HELP.");
}

}  // namespace

void RegisterScriptFamily(CommandRegistry* r) {
  // Keys are given by numkeys (first_key 0, like LMPOP); the commands they run are checked,
  // recorded and WATCH-invalidated one by one.
  *r << CommandId{"eval", NOSCRIPT | STALE, -3, 0, 0, 0, CmdEval}
     << CommandId{"evalsha", NOSCRIPT | STALE, -3, 0, 0, 0, CmdEvalSha}
     << CommandId{"eval_ro", READONLY | NOSCRIPT | STALE, -3, 0, 0, 0, CmdEvalRo}
     << CommandId{"evalsha_ro", READONLY | NOSCRIPT | STALE, -3, 0, 0, 0, CmdEvalShaRo}
     << CommandId{"script", 0, -2, 0, 0, 0, CmdScript};
}

}  // namespace mr::engine
