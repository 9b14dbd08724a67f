"""A throwaway PostgreSQL 15 cluster for the suites that run on both database engines: initdb +
pg_ctl from the Debian packages into a temp folder (owned by `postgres` when running as root),
one database per test. Callers fail (never skip) when it cannot start: see `start_or_fail`."""
import os
import shutil
import subprocess
import tempfile

from support import free_port

PG_BIN = os.environ.get("PG_BIN_DIR", "/usr/lib/postgresql/15/bin")

# Field and record separators for `query`: values may hold tabs and newlines (JSON details).
_FS, _RS = "\x1f", "\x1e"


class PostgresCluster:
    """initdb + pg_ctl into a temp folder owned by `postgres`; one database per test."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="mr-pg-")
        self.data = os.path.join(self.dir, "data")
        self.count = 0
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        self._run([f"{PG_BIN}/initdb", "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8",
                   "--locale=C", "-D", self.data])
        self.port = free_port()
        self.start()

    def start(self):
        self._run([f"{PG_BIN}/pg_ctl", "-D", self.data, "-l", os.path.join(self.dir, "server.log"),
                   "-w", "-t", "30", "-o",
                   f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off "
                   f"-c max_connections=200",
                   "start"])

    def _cmd(self, cmd):
        if os.geteuid() == 0:
            cmd = ["runuser", "-u", "postgres", "--"] + cmd
        return cmd

    def _run(self, cmd):
        r = subprocess.run(self._cmd(cmd), capture_output=True, text=True, timeout=60)
        if r.returncode != 0:
            log = os.path.join(self.dir, "server.log")
            tail = open(log).read()[-2000:] if os.path.exists(log) else ""
            raise RuntimeError(f"{' '.join(cmd)} failed: {r.stdout}{r.stderr}{tail}")
        return r

    def create_database(self, prefix="auth"):
        self.count += 1
        name = f"{prefix}_{self.count}"
        self._run([f"{PG_BIN}/psql", "-h", self.dir, "-p", str(self.port), "-U", "postgres",
                   "-v", "ON_ERROR_STOP=1", "-c", f"CREATE DATABASE {name}"])
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}"

    def psql(self, url_or_name, sql):
        """Runs `sql` with psql (ON_ERROR_STOP) in a database; the CompletedProcess, not checked."""
        name = url_or_name.rsplit("/", 1)[-1]
        cmd = self._cmd([f"{PG_BIN}/psql", "-h", self.dir, "-p", str(self.port), "-U", "postgres",
                         "-d", name, "-v", "ON_ERROR_STOP=1", "-X", "-A", "-t", "-F", _FS,
                         "-R", _RS, "-c", sql])
        return subprocess.run(cmd, capture_output=True, text=True, timeout=60)

    def query(self, url_or_name, sql):
        """Rows of a SELECT as lists of strings (NULL is the empty string)."""
        r = self.psql(url_or_name, sql)
        if r.returncode != 0:
            raise RuntimeError(f"psql {sql!r} failed: {r.stderr}")
        out = r.stdout.rstrip("\n")
        return [rec.split(_FS) for rec in out.split(_RS) if rec.strip("\n") != ""] if out else []

    def dump(self, url_or_name):
        """pg_dump of one database (data and schema), as text."""
        name = url_or_name.rsplit("/", 1)[-1]
        r = subprocess.run(self._cmd([f"{PG_BIN}/pg_dump", "-h", self.dir, "-p", str(self.port),
                                      "-U", "postgres", name]),
                           capture_output=True, text=True, timeout=60)
        if r.returncode != 0:
            raise RuntimeError(f"pg_dump failed: {r.stderr}")
        return r.stdout

    def pause(self):
        self._run([f"{PG_BIN}/pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop"])

    def stop(self):
        try:
            self._run([f"{PG_BIN}/pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop"])
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


def start_or_fail():
    """A started cluster, or pytest.fail (PostgreSQL cases must fail, not skip)."""
    import pytest
    try:
        return PostgresCluster()
    except (RuntimeError, OSError, LookupError, subprocess.TimeoutExpired) as e:
        pytest.fail(f"PostgreSQL 15 could not start: {e}")
