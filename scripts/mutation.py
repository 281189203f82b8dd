#!/usr/bin/env python3
"""Mutation testing of symdiff's rules: break one rule at a time, rebuild the tests that cover it,
and record whether some test failed.

In a scratch copy of the tracked tree (never the working tree), each *site* is mutated alone:

  derivative  every `return` of an operation's `partial` / `tangent` (ops/*.hpp): the returned
              derivative is doubled, `2 * (...)`; in a `pullback`, the incoming adjoint `g` is
              doubled. A correct suite fails on each (finite differences, laws, exact values).
  simplify    every `if constexpr (...)` branch of a builder (the free functions of ops/*.hpp that
              build nodes, where the simplifications live) is switched off, `false && (...)`: the
              result is the unsimplified node, equal in value, so only tests of the built form
              (static type tests, printed formulas) can notice.
  print       every operation's `name` and `latex` spelling gets a stray character.

For each mutant the candidate tests (those whose source names the operation, then the general
suites) are built and run in turn until one fails (the mutant is *killed* by it) or all pass
(*survived*). A mutant that makes no test compile for reasons other than a static_assert of a test
is *stillborn* and not counted. The table goes to stdout and to <scratch>/mutation-report.md.

  scripts/mutation.py [--scratch DIR] [--only REGEX] [--kinds derivative,simplify,print] [--list]
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GENERAL = [  # always candidates, cheapest-to-most-general order
    "test_laws_finite_differences", "test_laws_finite_differences_binary", "test_laws_reverse_mode",
    "test_laws_reverse_mode_binary", "test_static_types", "test_print_to_string", "test_print_to_latex",
    "test_random_elementwise_0", "test_random_reduction_0", "test_diff_second_derivatives",
]


def match_brace(text, open_at):
    """Index just past the brace that closes the one at open_at."""
    depth = 0
    for i in range(open_at, len(text)):
        if text[i] == "{":
            depth += 1
        elif text[i] == "}":
            depth -= 1
            if depth == 0:
                return i + 1
    raise ValueError("unbalanced braces")


def statement_end(text, start):
    """Index of the `;` that ends the statement starting at start (outside brackets)."""
    depth = 0
    for i in range(start, len(text)):
        c = text[i]
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        elif c == ";" and depth == 0:
            return i
    raise ValueError("no end of statement")


def paren_end(text, open_at):
    depth = 0
    for i in range(open_at, len(text)):
        if text[i] == "(":
            depth += 1
        elif text[i] == ")":
            depth -= 1
            if depth == 0:
                return i
    raise ValueError("unbalanced parentheses")


def line_of(text, pos):
    return text.count("\n", 0, pos) + 1


def sites_of(path, rel):
    text = open(path).read()
    op = os.path.splitext(os.path.basename(path))[0]
    out = []
    # derivative rules
    for m in re.finditer(r"static constexpr auto (partial|pullback|tangent)\s*\(([^)]*)\)\s*\{", text):
        kind, body_start = m.group(1), m.end() - 1
        body_end = match_brace(text, body_start)
        for r in re.finditer(r"\breturn\b", text[body_start:body_end]):
            s = body_start + r.end()
            e = statement_end(text, s)
            expr = text[s:e].strip()
            if expr in ("zero", "no_adjoint{}"):
                continue  # doubling nothing is an equivalent mutant: no test could kill it
            if kind == "pullback":
                if not re.search(r"\bg\b", expr):
                    continue
                new = re.sub(r"\bg\b", "(::symdiff::exact<2> * g)", expr)
            else:
                new = "::symdiff::exact<2> * (" + expr + ")"
            out.append(dict(kind="derivative", file=rel, op=op, line=line_of(text, s), rule=f"{op} {kind}",
                            what=f"return {short(expr)} -> doubled", start=s, end=e, new=" " + new))
    # simplifications: if constexpr branches of free builder functions
    for m in re.finditer(r"^(?:template <[^\n]*>\n)?constexpr auto (\w+)\s*\(([^)]*)\)\s*\{", text, re.M):
        name, body_start = m.group(1), m.end() - 1
        body_end = match_brace(text, body_start)
        for c in re.finditer(r"if constexpr \(", text[body_start:body_end]):
            open_at = body_start + c.end() - 1
            close = paren_end(text, open_at)
            cond = text[open_at + 1:close]
            out.append(dict(kind="simplify", file=rel, op=op, line=line_of(text, open_at), rule=f"{op} builder {name}",
                            what=f"if constexpr ({short(cond)}) switched off", start=open_at + 1, end=close,
                            new="false && (" + cond + ")"))
    # printer spellings
    for m in re.finditer(r'static constexpr std::string_view (name|latex) = "((?:[^"\\]|\\.)*)";', text):
        s, e = m.start(2), m.end(2)
        out.append(dict(kind="print", file=rel, op=op, line=line_of(text, s), rule=f"{op} {m.group(1)}",
                        what=f'"{m.group(2)}" -> "{m.group(2)}~"', start=s, end=e, new=m.group(2) + "~"))
    return out


def short(s, n=48):
    s = " ".join(s.split())
    return s if len(s) <= n else s[:n - 3] + "..."


def all_sites():
    ops = os.path.join(ROOT, "include", "symdiff", "ops")
    sites = []
    for f in sorted(os.listdir(ops)):
        if f.endswith(".hpp"):
            sites += sites_of(os.path.join(ops, f), os.path.join("include", "symdiff", "ops", f))
    return sites


def test_sources(scratch):
    """target name -> test source text, for the unit tests."""
    tests = {}
    base = os.path.join(scratch, "tests")
    for d, _, files in os.walk(base):
        for f in files:
            if f.startswith("test_") and f.endswith(".cpp"):
                rel = os.path.relpath(os.path.join(d, f), base)
                parts = os.path.dirname(rel).split(os.sep)
                name = f[len("test_"):-len(".cpp")]
                tgt = "test_" + "_".join([p for p in parts if p] + [name])
                tests[tgt] = open(os.path.join(d, f)).read()
    return tests


FIRST = {  # the tests most likely to kill a mutant of each kind, tried first
    "derivative": ["test_laws_finite_differences", "test_laws_finite_differences_binary", "test_diff_tensor_directions"],
    "simplify": ["test_static_simplifications", "test_static_types", "test_print_to_string"],
    "print": ["test_print_to_string", "test_print_to_latex", "test_eval_shapes"],
}


def candidates(site, tests, scratch):
    """The kind's likeliest killers, the tests that name the operation's spellings, then the
    general suites."""
    text = open(os.path.join(scratch, site["file"])).read()
    words = set(re.findall(r"^constexpr auto (\w+)\s*\(", text, re.M)) - {"make"}
    named = []
    for tgt, src in sorted(tests.items()):
        if tgt in GENERAL:
            continue
        if any(re.search(r"\b" + re.escape(w) + r"\s*[(<]", src) for w in words):
            named.append(tgt)
    general = [g for g in GENERAL if g in tests or g.startswith("test_random")]
    # a switched-off simplification or a respelled name changes no value: the general suites,
    # which check values, cannot notice; only tests of the built form and of printing can
    if site["kind"] != "derivative":
        general = []
        named = named[:2]
    ordered = []
    for t in FIRST[site["kind"]] + named[:8] + general:
        if t not in ordered:
            ordered.append(t)
    return ordered


def run(cmd, cwd, timeout=600):
    p = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=timeout)
    return p.returncode, p.stdout


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scratch", default=os.path.join(ROOT, "build-mutation"))
    ap.add_argument("--only", default="", help="regex over 'rule: mutation' of the sites to run")
    ap.add_argument("--kinds", default="derivative,simplify,print")
    ap.add_argument("--list", action="store_true", help="list the sites and stop")
    ap.add_argument("--jobs", default=str(os.cpu_count() or 2))
    args = ap.parse_args()
    args.scratch = os.path.abspath(args.scratch)  # the tests run from inside the build tree

    kinds = set(args.kinds.split(","))
    sites = [s for s in all_sites() if s["kind"] in kinds and re.search(args.only, s["rule"] + ": " + s["what"])]
    if args.list:
        for s in sites:
            print(f'{s["kind"]:10} {s["file"]}:{s["line"]}  {s["rule"]}: {s["what"]}')
        print(f"{len(sites)} sites")
        return 0

    # a scratch copy of the tracked files, configured once
    src = os.path.join(args.scratch, "src")
    build = os.path.join(args.scratch, "build")
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, stdout=subprocess.PIPE, text=True, check=True).stdout.split()
    shutil.rmtree(src, ignore_errors=True)
    for f in files:
        os.makedirs(os.path.dirname(os.path.join(src, f)) or src, exist_ok=True)
        shutil.copy2(os.path.join(ROOT, f), os.path.join(src, f))
    if not os.path.exists(os.path.join(build, "build.ninja")):
        rc, out = run(["cmake", "-S", src, "-B", build, "-G", "Ninja", "-DCMAKE_BUILD_TYPE=Release",
                       "-DSYMDIFF_BUILD_EXAMPLES=OFF", "-DSYMDIFF_RANDOM_SAMPLE=ON"], ROOT)
        if rc:
            print(out)
            return 1
    tests = test_sources(src)

    rows = []
    started = time.time()
    for i, s in enumerate(sites, 1):
        path = os.path.join(src, s["file"])
        original = open(path).read()
        mutated = original[:s["start"]] + s["new"] + original[s["end"]:]
        open(path, "w").write(mutated)
        verdict, by = "survived", ""
        compiled_any = False
        try:
            for tgt in candidates(s, tests, src):
                rc, out = run(["ninja", "-j", args.jobs, tgt], build)
                if rc:
                    if "static assertion failed" in out and "/tests/" in out:
                        verdict, by = "killed", tgt + " (static_assert)"
                        break
                    if "BOOST_" in out or "error:" in out:
                        continue  # this test does not compile with the mutant: try the next one
                compiled_any = True
                rc, out = run([os.path.join(build, "tests", tgt), "--color_output=no"], os.path.join(build, "tests"))
                if rc:
                    verdict, by = "killed", tgt
                    break
            if verdict == "survived" and not compiled_any:
                verdict = "stillborn"
        finally:
            open(path, "w").write(original)
        rows.append((s, verdict, by))
        print(f'[{i}/{len(sites)} {time.time() - started:.0f}s] {s["rule"]}: {s["what"]} -> {verdict} {by}', flush=True)

    lines = ["| kind | rule | where | mutation | result |", "|---|---|---|---|---|"]
    for s, verdict, by in rows:
        what = s["what"].replace("|", "\\|")
        result = verdict + (" by " + by if by else "")
        lines.append(f'| {s["kind"]} | {s["rule"]} | {s["file"]}:{s["line"]} | {what} | {result} |')
    lines.append("")
    for k in ["derivative", "simplify", "print"]:
        counted = [r for r in rows if r[0]["kind"] == k and r[1] != "stillborn"]
        if counted:
            killed = sum(1 for r in counted if r[1] == "killed")
            lines.append(f"- {k}: {killed} of {len(counted)} killed ({100.0 * killed / len(counted):.0f} %); "
                         f"{sum(1 for r in rows if r[0]['kind'] == k and r[1] == 'stillborn')} stillborn")
    report = "\n".join(lines)
    print("\n" + report)
    open(os.path.join(args.scratch, "mutation-report.md"), "w").write(report + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
