#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The docs against the tree, one TAP-style line per check (tests/testlib.sh's
"ok"/"not ok" shape, so tests/run.sh counts them):

- every path the README's "Repository layout" table names exists, and so do
  the files named in a directory's row (`x.c`, or a module `x` of common/);
- every tracked top-level entry and every directory under tools/ and tests/
  is named in the table;
- every relative link in the project's Markdown files resolves to a file
  (and an anchor, when given, to a heading of that file).

Run from anywhere: python3 tests/docs/check_docs.py
"""
import os
import re
import subprocess
import sys

failed = 0


def result(ok, name, why=""):
    global failed
    if ok:
        print(f"ok {name}")
    else:
        failed = 1
        print(f"not ok {name}: {why}")


def layout_rows(readme):
    text = open(readme, encoding="utf-8").read()
    section = text.split("## Repository layout", 1)[1].split("\n## ", 1)[0]
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 2 and cells[0].startswith("`"):
            yield re.findall(r"`([^`]+)`", cells[0]), re.findall(r"`([^`]+)`", cells[1])


def check_table(readme):
    named = set()
    missing = []
    for paths, mentions in layout_rows(readme):
        for p in paths:
            named.add(p.rstrip("/"))
            if not os.path.exists(p):
                missing.append(p)
        if len(paths) != 1 or not paths[0].endswith("/"):
            continue
        d = paths[0]
        for m in mentions:
            if "/" in m or " " in m or m.startswith("<") or re.search(r"\.(a|so|o)$", m):
                continue
            if "." in m and not m.startswith(".") and re.fullmatch(r"[\w.+-]+", m):
                if not os.path.exists(os.path.join(d, m)):
                    missing.append(d + m)
            elif d == "common/" and re.fullmatch(r"[a-z0-9_]+", m) and m != "libcommon":
                if not os.path.exists(os.path.join(d, m + ".h")):
                    missing.append(d + m + ".h")
    result(not missing, "README layout: every path it names exists", ", ".join(missing))

    tracked = subprocess.run(["git", "ls-files"], capture_output=True, text=True, check=True).stdout.split()
    tops = {t.split("/")[0] for t in tracked} - {"README.md", ".gitignore"}
    subdirs = {"/".join(t.split("/")[:2]) for t in tracked if t.count("/") >= 2 and t.split("/")[0] in ("tools", "tests")}

    def covered(entry):
        return any(n == entry or entry.startswith(n + "/") or n.startswith(entry + "/") for n in named)

    unnamed = sorted(e for e in tops | subdirs if not covered(e))
    result(not unnamed, "README layout: every top-level entry and tools/, tests/ directory is named", ", ".join(unnamed))


def anchors(path):
    out = set()
    for line in open(path, encoding="utf-8"):
        m = re.match(r"#+\s+(.*)", line)
        if m:
            a = re.sub(r"[^\w\- ]", "", m.group(1).strip().lower()).replace(" ", "-")
            out.add(a)
    return out


def check_links():
    tracked = subprocess.run(["git", "ls-files", "*.md"], capture_output=True, text=True, check=True).stdout.split()
    bad = []
    for md in tracked:
        text = open(md, encoding="utf-8").read()
        text = re.sub(r"```.*?```", "", text, flags=re.S)
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            if re.match(r"[a-z]+:", target):
                continue
            path, _, anchor = target.partition("#")
            full = os.path.normpath(os.path.join(os.path.dirname(md), path)) if path else md
            if not os.path.exists(full):
                bad.append(f"{md}: {target}")
            elif anchor and full.endswith(".md") and anchor not in anchors(full):
                bad.append(f"{md}: {target} (no such heading)")
    result(not bad, "Markdown links resolve", "; ".join(bad))


os.chdir(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
check_table("README.md")
check_links()
sys.exit(failed)
