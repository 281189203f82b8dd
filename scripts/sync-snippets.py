#!/usr/bin/env python3
"""Rewrite the code blocks of README.md and docs/*.md that quote a source region from the
source, after a change to the quoted file (a reformat, an edit).

A quote is announced by `<!-- snippet: PATH#NAME -->` on the line before its fence; the region is
marked in PATH by `// [snippet:NAME]` ... `// [/snippet:NAME]`. The quoted text is the region
without marker lines, trailing white space removed and the common indentation taken off: what
tests/docs/test_snippets.cpp compares. Run from anywhere: scripts/sync-snippets.py
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
MARKER = re.compile(r"^\s*//\s*\[(/?)snippet:([A-Za-z0-9_.-]+)\]\s*$")
QUOTE = re.compile(r"^<!--\s*snippet:\s*([^#\s]+)#([A-Za-z0-9_.-]+)\s*-->\s*$")


def region(path, name):
    lines = (ROOT / path).read_text().splitlines()
    inside, out = False, []
    for line in lines:
        m = MARKER.match(line)
        if m and m.group(2) == name:
            if m.group(1):
                break
            inside = True
            continue
        if inside and not m:
            out.append(line.rstrip())
    if not inside:
        sys.exit(f"{path}: no region [snippet:{name}]")
    indents = [len(l) - len(l.lstrip()) for l in out if l.strip()]
    common = min(indents) if indents else 0
    return [l[common:] if l.strip() else "" for l in out]


def sync(doc):
    lines = doc.read_text().splitlines()
    out, i, changed, fenced = [], 0, False, False
    while i < len(lines):
        out.append(lines[i])
        if lines[i].startswith("```"):
            fenced = not fenced  # a quote marker shown inside a code block is not a quote
        m = QUOTE.match(lines[i])
        if m and not fenced and i + 1 < len(lines) and lines[i + 1].startswith("```"):
            out.append(lines[i + 1])
            end = i + 2
            while end < len(lines) and not lines[end].startswith("```"):
                end += 1
            new = region(m.group(1), m.group(2))
            changed |= new != lines[i + 2 : end]
            out.extend(new)
            out.append(lines[end])  # the closing fence
            i = end + 1
            continue
        i += 1
    if changed:
        doc.write_text("\n".join(out) + "\n")
        print(f"updated {doc.relative_to(ROOT)}")


for doc in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
    sync(doc)
