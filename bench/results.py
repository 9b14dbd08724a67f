"""bench/RESULTS.md holds one section per benchmark ("# <title>" up to the next "# "): each
benchmark replaces its own section and keeps the others."""
from pathlib import Path


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
