"""redis-cli (Debian's, 7.0) against the server: replies formatted as users see them."""
import subprocess


def cli(server, *args, stdin=None):
    r = subprocess.run(["redis-cli", "-p", str(server.port), *args], input=stdin,
                       capture_output=True, text=True, timeout=20)
    return r.stdout.strip()


def test_basic_commands(server):
    assert cli(server, "PING") == "PONG"
    assert cli(server, "SET", "k", "hello") == "OK"
    assert cli(server, "GET", "k") == "hello"
    assert cli(server, "INCR", "n") == "1"
    assert cli(server, "RPUSH", "l", "a", "b") == "2"
    assert cli(server, "LRANGE", "l", "0", "-1") == "a\nb"
    assert cli(server, "GET", "nothing") == ""


def test_errors_are_printed(server):
    cli(server, "RPUSH", "l", "a")
    out = subprocess.run(["redis-cli", "-p", str(server.port), "GET", "l"], capture_output=True,
                         text=True).stdout
    assert "WRONGTYPE" in out


def test_pipe_mode_mass_insert(server):
    cmds = "".join(f"SET key{i} {i}\n" for i in range(5000))
    out = subprocess.run(["redis-cli", "-p", str(server.port), "--pipe"], input=cmds,
                         capture_output=True, text=True, timeout=30).stdout
    assert "errors: 0, replies: 5000" in out
    assert cli(server, "DBSIZE") == "5000"


def test_interactive_session_via_stdin(server):
    out = cli(server, stdin="SET a 1\nGET a\nDEL a\nEXISTS a\n")
    assert out.splitlines() == ["OK", "1", "1", "0"]


def test_info_and_scan(server):
    cli(server, "MSET", "x1", "1", "x2", "2")
    assert "used_memory:" in cli(server, "INFO", "memory")
    assert sorted(cli(server, "--scan", "--pattern", "x*").splitlines()) == ["x1", "x2"]
