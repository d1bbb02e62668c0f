#!/usr/bin/env python3
"""Size and shape of runyard's Python code, for before/after comparisons anyone can rerun.

    python scripts/code_metrics.py                 # the working tree
    python scripts/code_metrics.py --ref main~5    # a git revision (read with `git archive`)
    python scripts/code_metrics.py --mypy          # also mypy's error count at stricter settings

Prints: lines per module (the largest), the largest functions, exact duplicated blocks (runs of
BLOCK_LINES code lines that stand in two places or more, blank lines, comments and imports left out;
the `duplicates` tool, where installed, also finds blocks of the same shape with other names), and
with --mypy the strictness in force and what the next levels would report. Standard library only.
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import re
import subprocess
import sys
import tarfile
import tempfile
from collections import defaultdict
from io import BytesIO
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BLOCK_LINES = 6
SKIP_PARTS = {"migrations", "__pycache__", "webui"}  # generated or data-like code
STRICTER = (
    ("--disallow-incomplete-defs",),
    ("--disallow-untyped-defs",),
    ("--warn-return-any",),
    ("--strict",),
)


def source_files(root: Path) -> list[Path]:
    return sorted(
        p for p in (root / "runyard").rglob("*.py") if not SKIP_PARTS & set(p.relative_to(root).parts)
    )


def code_lines(text: str) -> list[tuple[int, str]]:
    """(line number, normalised text) of the lines that carry code."""
    out = []
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#") or re.match(r"(from \S+ )?import ", line):
            continue
        if re.fullmatch(r"[\])}(\[{,:]+", line):  # lone punctuation
            continue
        out.append((n, re.sub(r"\s+", " ", line)))
    return out


def duplicated_blocks(files: dict[str, str]) -> tuple[int, int]:
    """(blocks, files involved): maximal runs of code lines that stand identically elsewhere."""
    where: dict[bytes, list[tuple[str, int]]] = defaultdict(list)
    lines = {name: code_lines(text) for name, text in files.items()}
    for name, cl in lines.items():
        for i in range(len(cl) - BLOCK_LINES + 1):
            key = hashlib.sha1("\n".join(t for _, t in cl[i : i + BLOCK_LINES]).encode()).digest()
            where[key].append((name, i))
    dup_starts: dict[str, set[int]] = defaultdict(set)
    for places in where.values():
        if len(places) > 1:
            for name, i in places:
                dup_starts[name].add(i)
    blocks = 0
    for starts in dup_starts.values():
        prev = None
        for i in sorted(starts):
            if prev is None or i != prev + 1:
                blocks += 1  # a new run of overlapping duplicated windows
            prev = i
    return blocks, len(dup_starts)


def functions(tree: ast.AST, module: str) -> list[tuple[int, str]]:
    out = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.end_lineno:
            out.append((node.end_lineno - node.lineno + 1, f"{module}:{node.lineno} {node.name}"))
    return out


def mypy_report(root: Path) -> list[str]:
    base = [sys.executable, "-m", "mypy", "--no-error-summary", "runyard"]
    out = []
    cfg = (root / "pyproject.toml").read_text()
    section = cfg.split("[tool.mypy]", 1)[-1].split("\n[", 1)[0].strip()
    out.append("mypy settings: " + "; ".join(line.strip() for line in section.splitlines() if line.strip()))
    for flags in ((), *STRICTER):
        res = subprocess.run([*base, *flags], cwd=root, capture_output=True, text=True)
        errors = sum(1 for line in res.stdout.splitlines() if ": error:" in line)
        out.append(f"  {' '.join(flags) or '(as configured)':<30} {errors:>5} errors")
    return out


def report(root: Path, top: int, with_mypy: bool) -> None:
    files = {str(p.relative_to(root)): p.read_text() for p in source_files(root)}
    sizes = sorted(((len(t.splitlines()), n) for n, t in files.items()), reverse=True)
    total = sum(s for s, _ in sizes)
    print(
        f"{len(files)} modules, {total:,} lines; over 600 lines: {sum(s > 600 for s, _ in sizes)}, "
        f"over 1,000: {sum(s > 1000 for s, _ in sizes)}"
    )
    print("largest modules:")
    for size, name in sizes[:top]:
        print(f"  {size:>5}  {name}")
    funcs = sorted((f for n, t in files.items() for f in functions(ast.parse(t), n)), reverse=True)
    print(
        f"largest functions ({len(funcs)} in all; over 50 lines: {sum(s > 50 for s, _ in funcs)}, "
        f"over 100: {sum(s > 100 for s, _ in funcs)}):"
    )
    for size, name in funcs[:top]:
        print(f"  {size:>5}  {name}")
    blocks, involved = duplicated_blocks(files)
    print(
        f"duplicated blocks ({BLOCK_LINES}+ identical code lines in two places or more): {blocks} "
        f"in {involved} files"
    )
    if with_mypy:
        for line in mypy_report(root):
            print(line)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ref", help="a git revision to measure instead of the working tree")
    ap.add_argument("--top", type=int, default=10, help="how many modules and functions to list")
    ap.add_argument("--mypy", action="store_true", help="also run mypy at stricter settings (slow)")
    a = ap.parse_args()
    if not a.ref:
        print(f"# working tree of {REPO}")
        report(REPO, a.top, a.mypy)
        return
    tar = subprocess.run(
        ["git", "archive", a.ref, "runyard", "pyproject.toml"], cwd=REPO, capture_output=True, check=True
    ).stdout
    with tempfile.TemporaryDirectory(prefix="runyard-metrics-") as tmp:
        with tarfile.open(fileobj=BytesIO(tar)) as t:
            t.extractall(tmp, filter="data") if sys.version_info >= (3, 12) else t.extractall(tmp)
        print(f"# {a.ref}")
        report(Path(tmp), a.top, a.mypy)


if __name__ == "__main__":
    main()
