"""SLOWLOG entries name the client (address and CLIENT SETNAME), as redis-py parses them."""


def test_slowlog_entry_has_client_address_and_name(r):
    r.config_set("slowlog-log-slower-than", 0)
    r.slowlog_reset()
    r.client_setname("reporter")
    r.set("k", "v")
    entries = r.slowlog_get(10)
    setters = [e for e in entries if e["command"].startswith(b"set") or
               e["command"].startswith(b"SET")]
    assert setters, entries
    e = setters[0]
    assert e["client_address"].startswith(b"127.0.0.1:"), e
    assert int(e["client_address"].rsplit(b":", 1)[1]) > 0
    assert e["client_name"] == b"reporter"
    r.config_set("slowlog-log-slower-than", 10000)
