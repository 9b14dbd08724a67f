"""Lua scripting (EVAL, EVALSHA, EVAL_RO, SCRIPT) against Debian's redis-server 7.0.15 side by
side: the same scripts, on the same data, must give the same reply bytes, errors included. Plus
redis-py's register_script (EVALSHA with the EVAL fallback)."""
import subprocess
import time

import pytest
import redis

from compat_server import miniredis_only, raw_command
from support import free_port

SETUP = [("set", "s", "str"), ("rpush", "l", "a", "b"), ("hset", "h", "a", "1"),
         ("set", "n", "10")]

# Each case: the script, then numkeys and its keys/args (default "0").
SCRIPTS = [
    # Lua -> reply
    ("return 3.99",), ("return -3.99",), ("return 'a'",), ("return true",), ("return false",),
    ("return nil",), ("return {}",), ("return 1e20",), ("return 0/0",),
    ("return {1,'x',true,false,3.5}",), ("return {1,2,3,nil,5}",), ("return {{1,{2,{3}}}}",),
    ("return {ok='fine'}",), ("return {err='My Error'}",), ("return {err='-XYZ bad'}",),
    ("return {err=''}",), ("return {ok=5}",), ("return {err=5}",), ("return {ok='x', err='y'}",),
    ("return {1,2,{ok='x'},{err='y'},nil,4}",), ("return {double=3.5}",), ("return {map={a=1}}",),
    # reply -> Lua
    ("return redis.call('get','nokey')",), ("return type(redis.call('get','nokey'))",),
    ("return redis.call('incr','n')",), ("return redis.call('set','k','v')",),
    ("return redis.call('lrange','l',0,-1)",), ("return redis.call('hgetall','h')",),
    ("return redis.pcall('incr','s')",), ("return {redis.pcall('incr','s')}",),
    ("return redis.call('ping')",), ("return redis.call('type','l')",),
    ("redis.call('set','k',0.1) return redis.call('get','k')",),
    ("redis.call('set','k',1e20) return redis.call('get','k')",),
    ("redis.call('set','k',-2.5e-7) return redis.call('get','k')",),
    ("redis.setresp(3) return redis.call('hgetall','h').map.a",),
    ("redis.setresp(3) return redis.call('get','nokey')",),
    ("redis.setresp(3) return true",), ("redis.setresp(3) return false",),
    # errors
    ("return redis.call('nosuch')",), ("return redis.pcall('nosuch')",),
    ("return redis.call('get')",), ("return redis.call('incr','x','y')",),
    ("return redis.call('incr','s')",), ("return redis.call('set','k',true)",),
    ("return redis.call()",), ("return redis.pcall()",), ("return redis.call(1)",),
    ("return redis.error_reply('bad thing')",), ("return redis.error_reply('oops')",),
    ("return redis.error_reply('-X y')",), ("return redis.error_reply('')",),
    ("return redis.status_reply('fine')",), ("return redis.status_reply()",),
    ("return redis.error_reply(5)",),
    ("error('boom')",), ("error('boom',0)",), ("error({err='tbl'})",), ("error(nil)",),
    ("error(5)",), ("error({err='ERR x'})",), ("return 1 +",),
    ("local ok, e = pcall(redis.call, 'nosuch') return e",),
    ("local ok, e = pcall(function() error({err='x'}) end) return {tostring(ok), e}",),
    ("return redis.setresp(4)",), ("return redis.sha1hex()",),
    # commands scripts may not run
    ("return redis.call('multi')",), ("return redis.call('blpop','nolist',0)",),
    ("return redis.call('subscribe','c')",), ("return redis.call('eval','return 1', 0)",),
    ("return redis.call('script','load','return 1')",), ("return redis.call('save')",),
    ("return redis.call('unwatch')",), ("return redis.call('select', 100)",),
    ("return redis.call('blmpop','0','1','nolist','left')",),
    # sandbox and globals
    ("return x",), ("x = 5",), ("return rawset(_G,'x',1)",), ("redis.call = nil",),
    ("string.x = 1",), ("KEYS[1]='a' return KEYS[1]",), ("setmetatable(_G, nil)",),
    ("return type(getmetatable(_G))",), ("return type(os)",), ("return type(io)",),
    ("return type(debug)",), ("return type(require)",), ("return type(dofile)",),
    ("return type(print)",), ("return type(loadstring)",), ("return loadstring('return 7')()",),
    ("local t={} for k,v in pairs(redis) do t[#t+1]=k end return #t > 10",),
    ("return _VERSION",), ("return redis.REDIS_VERSION",), ("return redis.REDIS_VERSION_NUM",),
    ("return {redis.LOG_DEBUG,redis.LOG_WARNING,redis.REPL_NONE,redis.REPL_ALL}",),
    ("return redis.log(redis.LOG_WARNING, 'x')",), ("return redis.replicate_commands()",),
    ("return redis.set_repl(redis.REPL_ALL)",), ("return redis.sha1hex('')",),
    ("return redis.sha1hex(1)",),
    # libraries
    ("return cjson.encode({1,2,{a=1}})",), ("return cjson.encode('a/b\"c\\n')",),
    ("return cjson.encode({1,nil,3})",), ("return cjson.encode(3.14159265358979)",),
    ("return cjson.encode({[1]=1,[20]=2})",), ("return cjson.encode(function() end)",),
    ("return cjson.encode(cjson.decode('[true,false,null,1.5,\"s\"]'))",),
    ("return cjson.decode('[1,2,{\"a\":null}]')[3].a == cjson.null",),
    ("return cjson.decode('{\"a\":[1,2,3],\"b\":\"x\\\\u00e9\"}').b",),
    ("return cjson.decode('[1,2')",),
    ("return {bit.band(0xff,0x0f), bit.bor(1,2,4), bit.bxor(7,2), bit.bnot(0)}",),
    ("return {bit.lshift(1,31), bit.rshift(-1,28), bit.arshift(-256,4), bit.tobit(2^32+5)}",),
    ("return {bit.tohex(255), bit.tohex(-1,-4), bit.rol(1,33), bit.bswap(0x01020304)}",),
    ("return cmsgpack.pack(1, -1, 127, 128, 65536, 4294967296, -33, -129, -32769, -2147483649)",),
    ("return cmsgpack.pack(1.5, 0.1, 1e300, -0.25, 1/0)",),
    ("return cmsgpack.pack('', 'abc', string.rep('x', 32), string.rep('y', 300))",),
    ("return cmsgpack.pack({}, {1,2,3}, {a=1}, {1,nil,3}, {[2]=1}, true, false, nil)",),
    ("return cmsgpack.pack({a={b={c={d={e={f={g={h={i={j={k={l={m={n={o={p={q=1}}}}}}}}}}}}}}}})",),
    ("return {cmsgpack.unpack(cmsgpack.pack(1, 'two', {3, 4}, {five=5}, true, 1.5, -100000))}",),
    ("return cjson.encode(cmsgpack.unpack(cmsgpack.pack({a={1,2,{b='c'}}, d=false})))",),
    ("return cmsgpack.unpack('\\145')",), ("return cmsgpack.unpack('\\193')",),
    ("return {cmsgpack.unpack_one(cmsgpack.pack(1, 2, 3), 1)}",),
    ("return {cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3), 2)}",),
    ("return cmsgpack.unpack(string.char(0xcf, 255, 255, 255, 255, 255, 255, 255, 255))",),
    ("return cmsgpack.pack()",),
    ("return string.format('%d %s %5.2f', 3, 'x', 2.5)",), ("return table.concat({1,2,3},',')",),
    ("return {pcall(function() error('inner') end)}",),
    # KEYS / ARGV / numkeys
    ("return {KEYS[1],KEYS[2],ARGV[1],ARGV[2]}", "2", "k1", "k2", "a1", "a2"),
    ("return redis.call('get', KEYS[1])", "1", "s"),
    ("return 1", "abc"), ("return 1", "-1"), ("return 1", "2", "a"),
]

EXTRA = [  # whole commands
    ("evalsha", "ffffffffffffffffffffffffffffffffffffffff", "0"), ("evalsha", "abc", "0"),
    ("script", "load", "return 1"),
    ("evalsha", "E0E1F9FABFC9D4800C877A703B823AC0578FF8DB", "0"),
    ("script", "exists", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db", "abc"),
    ("script", "kill"), ("script", "flush", "bad"), ("script", "foo"), ("script", "load"),
    ("eval_ro", "return redis.call('set','a','b')", "0"),
    ("eval_ro", "return redis.call('get','s')", "0"),
    ("eval", "#!lua flags=no-writes\nreturn redis.call('set','a','b')", "0"),
    ("eval", "#!lua flags=bogus\nreturn 1", "0"), ("eval", "#!python\nreturn 1", "0"),
    ("eval", "#!lua\nreturn redis.call('set','a','b')", "0"),
    ("eval", "#!lua flags=no-writes,allow-oom\nreturn 1", "0"),
    ("eval", "#!lua name=x\nreturn 1", "0"), ("eval", "#!lua\n\nreturn x", "0"),
    ("script", "flush", "async"), ("evalsha", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db", "0"),
]


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    port = free_port()
    proc = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1",
                             "--save", "", "--appendonly", "no",
                             "--dir", str(tmp_path_factory.mktemp("redis"))],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 10
    while True:
        try:
            redis.Redis(port=port).ping()
            break
        except redis.ConnectionError:
            assert proc.poll() is None and time.time() < deadline, "redis-server did not start"
            time.sleep(0.05)
    yield port
    proc.terminate()
    proc.wait(timeout=10)


def reset(port):
    raw_command(port, "flushall")
    raw_command(port, "script", "flush")
    for cmd in SETUP:
        raw_command(port, *cmd)


def both(server, reference, *args):
    return raw_command(server.port, *args), raw_command(reference, *args)


@pytest.mark.parametrize("case", SCRIPTS, ids=lambda c: c[0][:60])
def test_script_reply_like_redis(server, reference, case):
    reset(server.port)
    reset(reference)
    script, rest = case[0], list(case[1:]) or ["0"]
    ours, theirs = both(server, reference, "eval", script, *rest)
    assert ours == theirs
    # And the data the script left behind is the same.
    assert both(server, reference, "eval", "return redis.call('keys','*')", "0")[0] is not None
    for key in ("k", "s", "n", "a"):
        mine, ref = both(server, reference, "get", key)
        assert mine == ref, key


def test_commands_like_redis(server, reference):
    reset(server.port)
    reset(reference)
    for cmd in EXTRA:
        ours, theirs = both(server, reference, *cmd)
        assert ours == theirs, cmd


def test_register_script_uses_evalsha_with_the_eval_fallback(r):
    incr_by_len = r.register_script(
        "local n = redis.call('incrby', KEYS[1], string.len(ARGV[1])) return {n, ARGV[1]}")
    assert incr_by_len(keys=["counter"], args=["abcd"]) == [4, "abcd"]
    r.script_flush()  # the cached SHA is gone: redis-py gets NOSCRIPT and sends EVAL
    assert incr_by_len(keys=["counter"], args=["xy"]) == [6, "xy"]
    assert r.script_exists(incr_by_len.sha) == [True]
    with r.pipeline() as p:  # a pipeline loads the script first (SCRIPT LOAD), then EVALSHA
        incr_by_len(keys=["counter"], args=["z"], client=p)
        p.get("counter")
        assert p.execute() == [[7, "z"], "7"]


def test_script_errors_are_response_errors(r):
    with pytest.raises(redis.exceptions.NoScriptError, match="No matching script"):
        r.evalsha("0" * 40, 0)
    with pytest.raises(redis.ResponseError, match="Error compiling script"):
        r.eval("return +", 0)
    assert r.eval_ro("return redis.call('exists', KEYS[1])", 1, "nokey") == 0
    with pytest.raises(redis.ResponseError, match="Write commands are not allowed"):
        r.eval_ro("return redis.call('set', KEYS[1], 'v')", 1, "k")


@miniredis_only
def test_script_time_limit_stops_the_script_and_keeps_its_writes(r):
    # Redis would keep running it and answer BUSY to everyone else; MiniRedis stops it.
    assert r.config_set("busy-reply-threshold", 100)
    r.set("before", "x")
    start = time.time()
    with pytest.raises(redis.ResponseError, match="Script killed"):
        r.eval("redis.call('incr', 'written') while true do end", 0)
    assert time.time() - start < 5
    assert r.get("written") == "1" and r.ping()
    assert r.config_get("lua-time-limit") == {"lua-time-limit": "100"}
