// EVAL / EVALSHA / EVAL_RO / SCRIPT: conversions both ways, errors, the script cache, the
// sandbox, the time and memory limits, and how scripts meet WATCH, MULTI and the change log.
#include "engine/server/engine_test_base.h"
#include "engine/server/script_engine.h"

namespace mr::engine {
namespace {

using V = std::vector<std::string>;

class ScriptFamilyTest : public EngineTest {
 protected:
  RespValue Eval(std::string_view script, std::vector<std::string> rest = {"0"}) {
    V args = {"eval", std::string(script)};
    args.insert(args.end(), rest.begin(), rest.end());
    return Run(args);
  }
  static bool StartsWith(const RespValue& v, std::string_view prefix) {
    return v.str.compare(0, prefix.size(), prefix) == 0;
  }
};

TEST_F(ScriptFamilyTest, LuaToReplyConversions) {
  EXPECT_EQ(Eval("return 3.99"), 3);
  EXPECT_EQ(Eval("return -3.99"), -3);
  EXPECT_EQ(Eval("return 'a'"), "a");
  EXPECT_EQ(Eval("return true"), 1);
  EXPECT_EQ(Eval("return false").type, RespValue::kNil);
  EXPECT_EQ(Eval("return nil").type, RespValue::kNil);
  EXPECT_EQ(Eval("return {ok='fine'}").type, RespValue::kStatus);
  EXPECT_EQ(Eval("return {ok='fine'}"), "fine");
  EXPECT_EQ(Eval("return {err='My Error'}"), "My Error");
  EXPECT_EQ(last_raw_, "-My Error\r\n");
  EXPECT_EQ(Eval("return {err='-X y'}"), "-X y");  // Redis sends "--X y"
  EXPECT_EQ(Eval("return 1e20"), INT64_MIN);  // out of range: like Redis on x86
  RespValue arr = Eval("return {1,'x',true,false,3.5,nil,9}");
  ASSERT_EQ(arr.size(), 5u);  // up to the first nil
  EXPECT_EQ(arr[0], 1);
  EXPECT_EQ(arr[1], "x");
  EXPECT_EQ(arr[2], 1);
  EXPECT_EQ(arr[3].type, RespValue::kNil);
  EXPECT_EQ(arr[4], 3);
  EXPECT_EQ(Eval("return {1,{2,{3}}}")[1][1][0], 3);
  RespValue deep = Eval("local t = {} t[1] = t return t");  // a cycle: cut with an error
  EXPECT_EQ(deep.type, RespValue::kArray);
  // Results are read raw: no metamethod (script code) runs once the script has returned.
  EXPECT_EQ(Eval("return setmetatable({}, {__index = function() while true do end end})").size(),
            0u);
  EXPECT_TRUE(StartsWith(
      Eval("error(setmetatable({}, {__index = function() error('x') end}))"), "ERR unknown error"));
}

TEST_F(ScriptFamilyTest, ReplyToLuaConversions) {
  Run({"set", "s", "str"});
  Run({"rpush", "l", "a", "b"});
  EXPECT_EQ(Eval("return type(redis.call('get','nokey'))"), "boolean");
  EXPECT_EQ(Eval("return redis.call('get','nokey') == false"), 1);
  EXPECT_EQ(Eval("return type(redis.call('incr','n'))"), "number");
  EXPECT_EQ(Eval("return redis.call('set','k','v').ok"), "OK");
  EXPECT_EQ(Eval("return redis.pcall('incr','s').err"),
            "ERR value is not an integer or out of range");
  EXPECT_EQ(Eval("return redis.call('lrange','l',0,-1)").Strings(), (V{"a", "b"}));
  EXPECT_EQ(Eval("return #redis.call('lrange','nolist',0,-1)"), 0);
  // Arguments: numbers as %.17g, like Redis.
  EXPECT_EQ(Eval("redis.call('set','f',0.1) return redis.call('get','f')"), "0.10000000000000001");
  EXPECT_EQ(Eval("redis.call('set','f',3) return redis.call('get','f')"), "3");
  // RESP3 inside the script with redis.setresp(3).
  Run({"hset", "h", "a", "1"});
  EXPECT_EQ(Eval("redis.setresp(3) return redis.call('hgetall','h').map.a"), "1");
  EXPECT_EQ(Eval("redis.setresp(3) return redis.call('get','nokey') == nil"), 1);
  EXPECT_EQ(Eval("redis.setresp(3) return {double=3.5}"), "3.5");
  EXPECT_EQ(Eval("redis.setresp(3) return false"), 0);
}

TEST_F(ScriptFamilyTest, KeysAndArgv) {
  RespValue r = Eval("return {KEYS[1],KEYS[2],ARGV[1],ARGV[2],#KEYS,#ARGV}",
                     {"2", "k1", "k2", "a1", "a2"});
  EXPECT_EQ(r.Strings(), (V{"k1", "k2", "a1", "a2", "2", "2"}));
  EXPECT_EQ(Eval("return 1", {"abc"}), "ERR value is not an integer or out of range");
  EXPECT_EQ(Eval("return 1", {"-1"}), "ERR Number of keys can't be negative");
  EXPECT_EQ(Eval("return 1", {"2", "a"}),
            "ERR Number of keys can't be greater than number of args");
  EXPECT_EQ(Run({"eval", "return 1"}), "ERR wrong number of arguments for 'eval' command");
}

TEST_F(ScriptFamilyTest, CallRaisesAndPcallReturnsErrors) {
  Run({"set", "s", "str"});
  std::string sha = Run({"script", "load", "return redis.call('incr','s')"}).str;
  EXPECT_EQ(Eval("return redis.call('incr','s')"),
            "ERR value is not an integer or out of range script: " + sha +
                ", on @user_script:1.");
  EXPECT_EQ(Eval("return redis.pcall('incr','s')"), "ERR value is not an integer or out of range");
  EXPECT_TRUE(StartsWith(Eval("return redis.call('nosuch')"),
                         "ERR Unknown Redis command called from script script: "));
  EXPECT_TRUE(StartsWith(Eval("return redis.call('get')"),
                         "ERR Wrong number of args calling Redis command from script script:"));
  EXPECT_TRUE(StartsWith(Eval("return redis.call('set','k',{})"),
                         "ERR Lua redis lib command arguments must be strings or integers"));
  EXPECT_EQ(Eval("return redis.pcall()"),
            "ERR Please specify at least one argument for this redis lib call");
  EXPECT_TRUE(StartsWith(Eval("error('boom')"), "ERR user_script:1: boom script: "));
  EXPECT_TRUE(StartsWith(Eval("error({err='tbl'})"), "tbl script: "));
  EXPECT_EQ(Eval("local ok, e = pcall(redis.call, 'nosuch') return e"),
            "ERR Unknown Redis command called from script");
  EXPECT_EQ(Eval("return redis.error_reply('oops')"), "ERR oops");
  EXPECT_EQ(Eval("return redis.error_reply('-X y')"), "X y");
  EXPECT_EQ(Eval("return redis.status_reply('fine')"), "fine");
  EXPECT_EQ(Eval("return redis.sha1hex('')"), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  EXPECT_EQ(Eval("return redis.replicate_commands()"), 1);
  EXPECT_TRUE(StartsWith(Eval("return redis.setresp(4)"), "ERR RESP version must be 2 or 3."));
  EXPECT_EQ(Eval("return 1 +"),
            "ERR Error compiling script (new function): user_script:1: unexpected symbol near "
            "'<eof>'");
}

TEST_F(ScriptFamilyTest, CommandsRefusedInScripts) {
  for (const char* cmd : {"multi", "exec", "watch", "subscribe", "blpop", "eval", "evalsha",
                          "script", "save", "client", "brpoplpush"}) {
    std::string script = std::string("return redis.call('") + cmd + "', 'a', '0', '0')";
    RespValue r = Eval(script);
    EXPECT_TRUE(StartsWith(r, "ERR This Redis command is not allowed from script") ||
                StartsWith(r, "ERR Wrong number of args"))
        << cmd << ": " << r;
  }
  // Blocking commands Redis allows run without blocking.
  EXPECT_EQ(Eval("return redis.call('blmpop','0','1','nolist','left')").type, RespValue::kNil);
  EXPECT_EQ(Eval("return redis.call('script','help')[1]").type, RespValue::kStatus);
}

TEST_F(ScriptFamilyTest, ScriptCache) {
  RespValue sha = Run({"script", "load", "return 'cached'"});
  ASSERT_EQ(sha.type, RespValue::kBulk);
  EXPECT_EQ(sha.str.size(), 40u);
  EXPECT_EQ(Run({"evalsha", sha.str, "0"}), "cached");
  std::string upper = sha.str;
  for (char& ch : upper) {
    ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  }
  EXPECT_EQ(Run({"evalsha", upper, "0"}), "cached");
  EXPECT_EQ(Run({"script", "exists", sha.str, "abc"}).Strings(), (V{"1", "0"}));
  EXPECT_EQ(Run({"script", "flush"}), "OK");
  EXPECT_EQ(Run({"evalsha", sha.str, "0"}), "NOSCRIPT No matching script. Please use EVAL.");
  EXPECT_EQ(Run({"script", "exists", sha.str}).Strings(), (V{"0"}));
  // EVAL caches its body too.
  Eval("return 'x'");
  EXPECT_EQ(Run({"evalsha", "3f0b4b8f67bd0ba7b0ebe0a7f3d16c3ae0dd0a8f", "0"}).type,
            RespValue::kError);
  EXPECT_EQ(Run({"script", "flush", "bad"}), "ERR SCRIPT FLUSH only support SYNC|ASYNC option");
  EXPECT_EQ(Run({"script", "flush", "async"}), "OK");
  EXPECT_EQ(Run({"script", "kill"}), "NOTBUSY No scripts in execution right now.");
  EXPECT_EQ(Run({"script", "load"}), "ERR wrong number of arguments for 'script|load' command");
  EXPECT_EQ(Run({"script", "foo"}), "ERR unknown subcommand 'foo'. Try SCRIPT HELP.");
}

TEST_F(ScriptFamilyTest, ReadOnlyScripts) {
  Run({"set", "a", "1"});
  EXPECT_TRUE(StartsWith(Run({"eval_ro", "return redis.call('set','a','b')", "0"}),
                         "ERR Write commands are not allowed from read-only scripts. script:"));
  EXPECT_EQ(Run({"eval_ro", "return redis.call('get','a')", "0"}), "1");
  EXPECT_TRUE(StartsWith(Eval("#!lua flags=no-writes\nreturn redis.call('set','a','b')"),
                         "ERR Write commands are not allowed from read-only scripts."));
  std::string sha = Run({"script", "load", "return redis.call('del','a')"}).str;
  EXPECT_TRUE(StartsWith(Run({"evalsha_ro", sha, "0"}), "ERR Write commands are not allowed"));
  EXPECT_EQ(Run({"get", "a"}), "1");
  EXPECT_EQ(Eval("#!lua flags=bogus\nreturn 1"), "ERR Unexpected flag in script shebang: bogus");
  EXPECT_EQ(Eval("#!python\nreturn 1"), "ERR Unexpected engine in script shebang: #!python");
  EXPECT_EQ(Eval("#!lua name=x\nreturn 1"), "ERR Unknown lua shebang option: name=x");
  EXPECT_TRUE(StartsWith(Eval("#!lua\n\nreturn x"), "ERR user_script:3: Script attempted"));
}

TEST_F(ScriptFamilyTest, GlobalsAreProtected) {
  EXPECT_TRUE(StartsWith(Eval("return x"),
                         "ERR user_script:1: Script attempted to access nonexistent global "
                         "variable 'x' script:"));
  EXPECT_TRUE(StartsWith(Eval("x = 5"), "ERR user_script:1: Attempt to modify a readonly table"));
  EXPECT_TRUE(StartsWith(Eval("redis.call = nil"), "ERR user_script:1: Attempt to modify"));
  EXPECT_TRUE(StartsWith(Eval("string.x = 1"), "ERR user_script:1: Attempt to modify"));
  EXPECT_TRUE(StartsWith(Eval("rawset(_G, 'x', 1)"), "ERR Attempt to modify a readonly table"));
  EXPECT_TRUE(StartsWith(Eval("setmetatable(_G, nil)"), "ERR Attempt to modify a readonly"));
  EXPECT_EQ(Eval("return type(rawget(_G, 'redis'))"), "table");
  EXPECT_EQ(Eval("local n = 0 for k in pairs(redis) do n = n + 1 end return n > 10"), 1);
  EXPECT_EQ(Eval("return ('x'):upper()"), "X");
  // Raw writes into a library table do not survive into the next script.
  Eval("table.insert(string, 'leak')");
  EXPECT_EQ(Eval("return rawget(string, 1) == nil"), 1);
  EXPECT_EQ(Eval("KEYS[1] = 'a' return KEYS[1]"), "a");  // KEYS/ARGV are the script's own
}

TEST_F(ScriptFamilyTest, Sandbox) {
  for (const char* name : {"os", "io", "debug", "require", "package", "dofile", "loadfile",
                           "print", "getfenv", "setfenv", "newproxy", "module"}) {
    EXPECT_TRUE(StartsWith(Eval(std::string("return type(") + name + ")"),
                           "ERR user_script:1: Script attempted to access nonexistent global"))
        << name;
  }
  EXPECT_EQ(Eval("return loadstring('return 7')()"), 7);
  // Bytecode can escape the VM: refused by loadstring, load and EVAL itself.
  EXPECT_EQ(Eval("return select(2, loadstring(string.dump(function() end)))"),
            "binary chunks are not allowed");
  EXPECT_EQ(Eval("local s = string.dump(function() end) local f, e = load(function() local r = s "
                 "s = nil return r end) return e"),
            "binary chunks are not allowed");
  EXPECT_EQ(Eval(std::string("\x1bLua")), "ERR Error compiling script (new function): binary "
                                          "chunks are not allowed");
  EXPECT_EQ(Eval("return cjson.encode({1,2,{a=1}})"), "[1,2,{\"a\":1}]");
  EXPECT_EQ(Eval("return cjson.decode('[1,2,{\"a\":null}]')[3].a == cjson.null"), 1);
  EXPECT_EQ(Eval("return cjson.decode('\"\\\\u00e9\"')"), "\xc3\xa9");
  EXPECT_EQ(Eval("return bit.tohex(bit.bor(0xf0, 0x0f))"), "000000ff");
  EXPECT_EQ(Eval("return bit.arshift(-256, 4)"), -16);
  EXPECT_EQ(Eval("return cmsgpack.pack({1, 'a'}, 300)"),
            std::string("\x92\x01\xa1" "a\xcd\x01\x2c"));
  EXPECT_EQ(Eval("return cmsgpack.unpack(cmsgpack.pack({x={1,2}})).x[2]"), 2);
  EXPECT_TRUE(StartsWith(Eval("return cmsgpack.unpack('\\145')"),
                         "ERR user_script:1: Missing bytes in input."));
}

TEST_F(ScriptFamilyTest, SelectInsideAScriptStaysInside) {
  EXPECT_EQ(Eval("redis.call('select', 2) redis.call('set','k','in2') return 1"), 1);
  EXPECT_EQ(Run({"get", "k"}).type, RespValue::kNil);
  Run({"select", "2"});
  EXPECT_EQ(Run({"get", "k"}), "in2");
}

class ScriptLimitsTest : public ScriptFamilyTest {
 protected:
  void SetUp() override {
    inst_.config().busy_reply_threshold_ms = 50;
    inst_.config().script_heap_limit = 2 << 20;
  }
};

TEST_F(ScriptLimitsTest, LongScriptIsStoppedAndKeepsItsWrites) {
  RespValue r = Eval("redis.call('set','before','1') while true do end");
  EXPECT_TRUE(StartsWith(r, "ERR Script killed: it ran longer than busy-reply-threshold (50 ms)"))
      << r;
  EXPECT_EQ(Run({"get", "before"}), "1");
  // pcall cannot swallow the stop.
  r = Eval("while true do pcall(function() while true do end end) end");
  EXPECT_TRUE(StartsWith(r, "ERR Script killed")) << r;
  r = Eval("local co = coroutine.wrap(function() while true do end end) co()");
  EXPECT_TRUE(StartsWith(r, "ERR Script killed")) << r;
  EXPECT_EQ(Eval("return 'still works'"), "still works");
  EXPECT_EQ(Run({"config", "set", "lua-time-limit", "100"}), "OK");
  EXPECT_EQ(Run({"config", "get", "busy-reply-threshold"}).Strings(),
            (V{"busy-reply-threshold", "100"}));
}

TEST_F(ScriptLimitsTest, HeapIsCappedAndCharged) {
  // The memory cap, not the 50 ms time limit, must stop the big table even on a loaded machine.
  inst_.config().busy_reply_threshold_ms = 60'000;
  Run({"ping"});  // the first command sets up per-instance bookkeeping of its own
  int64_t before = UsedMemory();
  EXPECT_EQ(Eval("return 1"), 1);
  int64_t with_lua = UsedMemory();
  EXPECT_GT(with_lua, before + 10000);  // the interpreter is charged to the instance
  RespValue r = Eval("local t = {} for i = 1, 1e7 do t[i] = i end return #t");
  EXPECT_TRUE(StartsWith(r, "ERR Script exceeded the Lua memory limit")) << r;
  EXPECT_EQ(Eval("return 2"), 2);
  EXPECT_LT(inst_.scripts().heap_bytes(), 1 << 20);  // collected after the failure
  // The script cache is in the capped heap as well.
  std::string big = "return '" + std::string(3 << 20, 'x') + "'";
  RespValue load = Run({"script", "load", big});
  EXPECT_TRUE(StartsWith(load, "ERR Error compiling script (new function): not enough memory"))
      << load;
  Run({"script", "flush"});
  EXPECT_EQ(UsedMemory(), before);
}

TEST_F(ScriptFamilyTest, OomRefusesWritingShebangScriptsAtStart) {
  Run({"set", "k", std::string(1000, 'x')});
  inst_.config().maxmemory = 1;
  EXPECT_EQ(Eval("#!lua\nreturn 1"), "OOM command not allowed when used memory > 'maxmemory'.");
  EXPECT_EQ(Eval("#!lua flags=no-writes\nreturn redis.call('get','k'):len()"), 1000);
  EXPECT_EQ(Eval("#!lua flags=allow-oom\nreturn 1"), 1);
  EXPECT_TRUE(StartsWith(Eval("return redis.call('set','k','v')"), "OOM command not allowed"));
  EXPECT_EQ(Eval("return redis.call('get','k'):len()"), 1000);
  inst_.config().maxmemory = 0;
}

TEST_F(ScriptFamilyTest, WriteInvalidatesWatch) {
  Session other;
  Run({"set", "k", "1"});
  Run({"watch", "k"});
  RunOn(other, {"eval", "return redis.call('set', KEYS[1], 'changed')", "1", "k"});
  Run({"multi"});
  Run({"set", "k", "mine"});
  EXPECT_EQ(Run({"exec"}).type, RespValue::kNil);
  EXPECT_EQ(Run({"get", "k"}), "changed");
}

TEST_F(ScriptFamilyTest, EvalInsideMulti) {
  EXPECT_EQ(Run({"multi"}), "OK");
  EXPECT_EQ(Eval("return redis.call('incr','c')"), "QUEUED");
  EXPECT_EQ(Eval("return redis.call('incr','c')"), "QUEUED");
  RespValue r = Run({"exec"});
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0], 1);
  EXPECT_EQ(r[1], 2);
}

// What the change log receives, as the AOF would.
class RecordedLog : public ChangeLog {
 public:
  void Commit() override {
    std::string pending;
    TakePending(&pending);
    written += pending;
  }
  Status Save() override { return Status::Ok(); }
  Status BackgroundSave() override { return Status::Ok(); }
  int64_t last_save_s() const override { return 0; }
  void AppendInfo(std::string*) const override {}
  std::string written;
};

std::string Resp(std::initializer_list<std::string_view> args) {
  std::string out = "*" + std::to_string(args.size()) + "\r\n";
  for (std::string_view a : args) {
    out.append("$" + std::to_string(a.size()) + "\r\n");
    out.append(a);
    out.append("\r\n");
  }
  return out;
}

TEST_F(ScriptFamilyTest, ChangeLogGetsTheEffectsAsOneTransaction) {
  RecordedLog log;
  inst_.set_change_log(&log);
  Eval("redis.call('set','a','1') redis.call('get','a') redis.call('rpush','l','x') return 1");
  Eval("return redis.call('get','a')");  // reads only: nothing recorded
  Run({"multi"});
  Eval("return redis.call('incr','a')");
  Run({"set", "b", "2"});
  Run({"exec"});
  log.Commit();
  inst_.set_change_log(nullptr);
  std::string expected = Resp({"select", "0"}) + Resp({"multi"}) + Resp({"set", "a", "1"}) +
                         Resp({"rpush", "l", "x"}) + Resp({"exec"}) + Resp({"multi"}) +
                         Resp({"incr", "a"}) + Resp({"set", "b", "2"}) + Resp({"exec"});
  EXPECT_EQ(log.written.find("eval"), std::string::npos) << log.written;
  // Replaying the log into a fresh instance gives the same data.
  Instance replica;
  Session s;
  std::string scratch;
  inst_.set_loading(false);
  size_t pos = 0;
  while (pos < log.written.size()) {
    RespValue cmd = ParseResp(log.written, &pos);
    std::vector<std::string> args = cmd.Strings();
    std::vector<std::string_view> views(args.begin(), args.end());
    if (EqualsNoCase(views[0], "multi") || EqualsNoCase(views[0], "exec")) {
      continue;
    }
    replica.set_loading(true);
    ASSERT_TRUE(Replay(replica, s, views, &scratch)) << args[0];
    replica.set_loading(false);
  }
  std::string out;
  resp::Writer w(&out);
  std::string_view get[] = {"get", "a"};
  Dispatch(replica, s, get, w);
  EXPECT_EQ(out, "$1\r\n2\r\n");
  EXPECT_EQ(log.written, expected);
}

}  // namespace
}  // namespace mr::engine
