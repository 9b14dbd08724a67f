"""What every benchmark script shares: free ports, a server's CPU seconds and RSS from /proc,
waiting for a port, and bench/RESULTS.md, which holds one section per benchmark ("# <title>" up
to the next "# "): each benchmark replaces its own section and keeps the others."""
import os
import socket
import time
from pathlib import Path

CLK_TCK = os.sysconf("SC_CLK_TCK")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid):
    """utime + stime of a process, in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def rss_kb(pid):
    return int(Path(f"/proc/{pid}/status").read_text().split("VmRSS:")[1].split()[0])


def wait_port(port, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.02)
    raise RuntimeError(f"port {port} did not open")


def replace_section(path, text):
    """`text` starts with its "# title" line; the section with the same title is replaced."""
    path = Path(path)
    title = text.splitlines()[0].split("(")[0].strip()
    sections, current = [], []
    for line in (path.read_text().splitlines() if path.exists() else []):
        if line.startswith("# ") and current:
            sections.append(current)
            current = []
        current.append(line)
    if current:
        sections.append(current)
    body = text.rstrip("\n").splitlines()
    for i, s in enumerate(sections):
        if s[0].split("(")[0].strip() == title:
            sections[i] = body + [""]
            break
    else:
        sections.append(body + [""])
    path.write_text("\n".join(line for s in sections for line in s).rstrip("\n") + "\n")
