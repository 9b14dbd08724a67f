"""SSCAN/HSCAN/ZSCAN: big (hashtable/skiplist) collections page by COUNT with a cursor and return
every member exactly once, honouring MATCH; small encodings answer in one page with cursor 0."""
from collections import Counter

import pytest


def members(page):
    """SSCAN pages are lists, HSCAN pages dicts, ZSCAN pages (member, score) tuples."""
    if isinstance(page, dict):
        return list(page)
    return [m[0] if isinstance(m, tuple) else m for m in page]


def scan_all(fn, key, **kw):
    cursor, seen, pages = 0, Counter(), 0
    while True:
        cursor, page = fn(key, cursor, **kw)
        seen.update(members(page))
        pages += 1
        if cursor == 0:
            return seen, pages


@pytest.mark.parametrize("kind", ["set", "hash", "zset"])
def test_scan_big_collections_pages_exactly_once(r, kind):
    n = 2000
    if kind == "set":
        r.sadd("k", *[f"member:{i}" for i in range(n)])
        fn, enc = r.sscan, "hashtable"
    elif kind == "hash":
        r.hset("k", mapping={f"member:{i}": i for i in range(n)})
        fn, enc = r.hscan, "hashtable"
    else:
        r.zadd("k", {f"member:{i}": i for i in range(n)})
        fn, enc = r.zscan, "skiplist"
    assert r.object("encoding", "k") == enc
    seen, pages = scan_all(fn, "k", count=25)
    assert len(seen) == n and set(seen.values()) == {1}
    assert pages > 10
    matched, _ = scan_all(fn, "k", match="member:1??", count=100)
    assert sorted(matched) == sorted(f"member:{i}" for i in range(100, 200))


def test_scan_values_and_small_encodings(r):
    r.zadd("z", {f"m{i}": i + 0.5 for i in range(300)})
    cursor, seen = 0, {}
    while True:
        cursor, part = r.zscan("z", cursor, count=10)
        seen.update(part)
        if cursor == 0:
            break
    assert seen == {f"m{i}": i + 0.5 for i in range(300)}
    r.zadd("zs", {"a": 1, "b": 2})
    assert r.zscan("zs", 0, count=1) == (0, [("a", 1.0), ("b", 2.0)])
    r.sadd("ints", 3, 1, 2)
    cursor, members = r.sscan("ints", 0, count=1)
    assert cursor == 0 and sorted(members) == ["1", "2", "3"]
    r.hset("hs", mapping={"a": 1, "b": 2})
    assert r.hscan("hs", 0, count=1) == (0, {"a": "1", "b": "2"})
    assert r.sscan("nokey", 0) == (0, [])
