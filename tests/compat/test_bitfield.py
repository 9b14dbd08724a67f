"""BITFIELD and BITFIELD_RO against redis-server 7.0: a table of cases (types, offsets, OVERFLOW
modes, errors) and seeded random operation sequences, with the raw replies and the resulting
strings compared byte for byte."""
import random

import pytest

from differential import RawConn, pair, parse, reference  # noqa: F401 (fixtures)

TABLE = [
    ["bitfield", "k", "set", "i8", "0", "100", "get", "i8", "0", "incrby", "u4", "#3", "7",
     "get", "u16", "0"],
    ["get", "k"],
    ["bitfield", "k", "get", "i64", "0", "get", "u63", "1", "get", "i64", "60", "get", "u1", "7"],
    ["bitfield", "k"],
    ["bitfield", "none"],
    ["bitfield", "none", "get", "u8", "100"],
    ["exists", "none"],
    ["bitfield", "f", "incrby", "u2", "0", "5", "overflow", "sat", "incrby", "u2", "0", "5",
     "incrby", "i8", "8", "-200", "overflow", "fail", "incrby", "i8", "8", "-1", "set", "u8",
     "16", "-1", "overflow", "wrap", "set", "i8", "16", "200"],
    ["bitfield", "f", "overflow", "sat", "set", "u8", "24", "-1", "get", "u8", "16",
     "set", "i8", "24", "-1000", "set", "i8", "24", "1000", "get", "i8", "24"],
    ["bitfield", "w", "set", "i64", "0", "9223372036854775807", "incrby", "i64", "0", "1",
     "overflow", "sat", "incrby", "i64", "0", "-1", "incrby", "i64", "0", "-9223372036854775808",
     "overflow", "fail", "incrby", "i64", "0", "-1", "get", "i64", "0"],
    ["bitfield", "w", "set", "u63", "0", "-1", "overflow", "sat", "set", "u63", "0", "-1",
     "incrby", "u63", "0", "-9223372036854775808", "overflow", "wrap", "incrby", "u63", "0",
     "-9223372036854775808"],
    ["get", "w"],
    ["bitfield", "g", "overflow", "fail", "set", "u2", "20", "9"],
    ["strlen", "g"],
    ["bitfield", "g", "OVERFLOW", "FAIL", "SET", "U2", "100", "1", "GET", "I3", "#33"],
    ["bitfield", "k", "get", "u64", "0"],
    ["bitfield", "k", "get", "i65", "0"],
    ["bitfield", "k", "get", "x8", "0"],
    ["bitfield", "k", "get", "i0", "0"],
    ["bitfield", "k", "get", "i", "0"],
    ["bitfield", "k", "get", "", "0"],
    ["bitfield", "k", "get", "i08", "0"],
    ["bitfield", "k", "get", "i+8", "0"],
    ["bitfield", "k", "get", "i8", "-1"],
    ["bitfield", "k", "get", "i8", "4294967296"],
    ["bitfield", "k", "get", "i8", "4294967295"],
    ["bitfield", "k", "get", "i8", "#536870911"],
    ["bitfield", "k", "get", "i8", "#536870912"],
    ["bitfield", "k", "get", "i64", "#1152921504606846976"],
    ["bitfield", "k", "get", "i8", "#-1"],
    ["bitfield", "k", "get", "i8", "##1"],
    ["bitfield", "k", "get", "i8", "1.5"],
    ["bitfield", "k", "set", "i8", "0", "x"],
    ["bitfield", "k", "set", "i8", "0", "9223372036854775808"],
    ["bitfield", "k", "overflow", "foo"],
    ["bitfield", "k", "overflow"],
    ["bitfield", "k", "get", "i8"],
    ["bitfield", "k", "set", "i8", "0"],
    ["bitfield", "k", "foo"],
    ["bitfield", "k", "get", "i8", "0", "set", "u64", "0", "1"],
    ["bitfield_ro", "k", "get", "i8", "0", "get", "u4", "#1"],
    ["bitfield_ro", "k", "set", "i8", "0", "1"],
    ["bitfield_ro", "k", "overflow", "sat", "get", "i8", "0"],
    ["bitfield_ro", "k", "incrby", "i8", "0", "1", "get", "x", "0"],
    ["bitfield_ro", "k"],
    ["lpush", "l", "a"],
    ["bitfield", "l", "get", "i8", "0"],
    ["bitfield", "l"],
    ["bitfield", "l", "set", "i8", "0", "1"],
    ["bitfield", "l", "get", "i99", "0"],
    ["bitfield_ro", "l", "set", "i8", "0", "1"],
    ["bitfield_ro", "l", "get", "i8", "0"],
    ["set", "n", "12"],
    ["bitfield", "n", "get", "u8", "0", "set", "u8", "8", "51"],
    ["get", "n"],
    ["set", "n", "-7"],
    ["bitfield_ro", "n", "get", "i16", "0"],
    ["bitfield"],
    ["bitfield_ro"],
]


def test_bitfield_table(pair):
    for cmd in TABLE:
        pair.run(*cmd)


def test_bitfield_command_info(server, reference):
    ours, theirs = RawConn(server.port), RawConn(reference.port)
    for name in ("bitfield", "bitfield_ro"):
        assert parse(ours.call("COMMAND", "INFO", name))[0][:6] == \
            parse(theirs.call("COMMAND", "INFO", name))[0][:6], name


def random_type(rng):
    signed = rng.random() < 0.5
    bits = rng.choice([1, 2, 3, 5, 7, 8, 9, 15, 16, 31, 32, 33, 48, 62, 63] + ([64] if signed else []))
    return ("i" if signed else "u") + str(bits), bits


def random_value(rng, bits):
    return str(rng.choice([
        0, 1, -1, rng.randint(-(1 << bits), 1 << bits), rng.randint(-300, 300),
        (1 << (bits - 1)) - 1, -(1 << (bits - 1)), (1 << bits) - 1,
        rng.randint(-(1 << 63), (1 << 63) - 1), (1 << 63) - 1, -(1 << 63)]))


def random_ops(rng, read_only):
    args = []
    for _ in range(rng.randint(1, 6)):
        kind = rng.random()
        if kind < 0.15 and not read_only:
            args += ["overflow", rng.choice(["wrap", "sat", "fail", "WRAP", "Sat"])]
            continue
        t, bits = random_type(rng)
        offset = str(rng.randint(0, 120)) if rng.random() < 0.7 else f"#{rng.randint(0, 12)}"
        if kind < 0.45 or read_only:
            args += ["get", t, offset]
        elif kind < 0.7:
            args += ["set", t, offset, random_value(rng, bits)]
        else:
            args += ["incrby", t, offset, random_value(rng, bits)]
    return args


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_bitfield_random(pair, seed):
    rng = random.Random(seed)
    keys = ["a", "b", "c"]
    for _ in range(400):
        key = rng.choice(keys)
        if rng.random() < 0.2:
            pair.run("bitfield_ro", key, *random_ops(rng, True))
        else:
            pair.run("bitfield", key, *random_ops(rng, False))
        if rng.random() < 0.1:
            pair.run("get", key)
    for key in keys:
        pair.run("get", key)
