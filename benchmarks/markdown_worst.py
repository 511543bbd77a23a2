"""How long Markdown bodies take to convert, construct by construct, with and without the body limits.

    .venv/bin/python benchmarks/markdown_worst.py                  # every family (ten minutes or so)
    .venv/bin/python benchmarks/markdown_worst.py '[' 'nested -'    # some of them
    .venv/bin/python benchmarks/markdown_worst.py --check-only      # the cost of the check alone

Three tables:

- raw: each construct repeated n times in one block (n = 1,000 to 16,000; levels of nesting for
  the nested families), the seconds render_markdown takes, the growth exponent between the last
  two sizes (1 is linear, 2 quadratic), and whether `check` refuses the body (markdown_limits.body_problem).
  A family stops growing once one size takes more than --budget seconds.
- accepted: the worst body check accepts for each construct. The construct is packed into the
  densest block the limits allow, the block repeated and, where a limit on the whole body stops the
  repeats, the rest filled with ordinary paragraphs, at sizes up to the body limit; the seconds for
  each size and the growth exponent.
- the check: what markdown_limits.body_problem costs on 10,000 bodies of benchmarks/generate.py.
"""
from __future__ import annotations

import argparse
import math
import random
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO / "benchmarks"), str(REPO)]
from generate import body as realistic_body  # noqa: E402
from timeline import markdown_limits  # noqa: E402
from timeline.markdown_limits import MAX_BLOCK, MAX_BODY, body_problem  # noqa: E402
from timeline.markup import render_markdown  # noqa: E402

COUNTS = (1000, 2000, 4000, 8000, 16000)
LEVELS = (50, 100, 200, 400, 800)
SIZES = (12_500, 25_000, 50_000, 100_000, MAX_BODY)


def repeated(unit: str, before: str = "", after: str = ""):
    return lambda n: before + unit * n + after


def nested(line):
    """n lines, the i-th made by line(i): nesting that grows line by line."""
    return lambda n: "".join(line(i) for i in range(n))


# name -> (body of n units, the counts n to try)
FAMILIES = {
    "[": (repeated("["), COUNTS),
    "![": (repeated("!["), COUNTS),
    "[^": (repeated("[^"), COUNTS),
    "[^1] defined": (repeated("a[^1] ", after="\n\n[^1]: note"), COUNTS),
    "[^n] and [^n]:": (lambda n: "".join(f"[^{i}]" for i in range(n)) + "\n\n"
                       + "".join(f"[^{i}]: n\n\n" for i in range(n)), COUNTS),
    "]": (repeated("]"), COUNTS),
    "(": (repeated("("), COUNTS),
    "[a](": (repeated("[a]("), COUNTS),
    "[a": (repeated("[a"), COUNTS),
    "[a][": (repeated("[a]["), COUNTS),
    "[](": (repeated("[]("), COUNTS),
    "[a](b 'c) ": (repeated("[a](b 'c) "), COUNTS),
    "[a](<": (repeated("[a](<"), COUNTS),
    "[a](b) ": (repeated("[a](b) "), COUNTS),
    "[[ ]] nested": (lambda n: "[" * n + "a" + "](b)" * n, COUNTS),
    "[`]`": (repeated("[`]`"), COUNTS),
    "*": (repeated("*"), COUNTS),
    "_": (repeated("_"), COUNTS),
    "**": (repeated("**"), COUNTS),
    "*a_": (repeated("*a_"), COUNTS),
    "**a*": (repeated("**a*"), COUNTS),
    "***a nested": (lambda n: "***a " * n + "b" + " c***" * n, COUNTS),
    "a*b_c**d__e ": (repeated("a*b_c**d__e "), COUNTS),
    "`": (repeated("`"), COUNTS),
    "``a`": (repeated("``a`"), COUNTS),
    "<": (repeated("<"), COUNTS),
    "<a@b.c> ": (repeated("<a@b.c> "), COUNTS),
    "<http://a ": (repeated("<http://a "), COUNTS),
    "&": (repeated("&"), COUNTS),
    "&amp;": (repeated("&amp;"), COUNTS),
    "\\": (repeated("\\"), COUNTS),
    "'": (repeated("'"), COUNTS),
    '"': (repeated('"'), COUNTS),
    "'a": (repeated("'a"), COUNTS),
    " 'a' ": (repeated(" 'a' "), COUNTS),
    "--": (repeated("--"), COUNTS),
    "...": (repeated("..."), COUNTS),
    "word ": (repeated("word "), COUNTS),
    "a  \\n": (repeated("a  \n"), COUNTS),
    "blank lines": (repeated("\n", "a", "a"), COUNTS),
    "paragraphs": (repeated("a -- b\n\n"), COUNTS),
    "- a": (repeated("- a\n"), COUNTS),
    "- it's": (repeated("- it's\n"), COUNTS),
    "# a": (repeated("# a\n"), COUNTS),
    "a\\n=": (repeated("a\n=\n"), COUNTS),
    "---": (repeated("---\n"), COUNTS),
    "```": (repeated("```\n"), COUNTS),
    "> a": (repeated("> a\n"), COUNTS),
    "a|b rows": (repeated("a|b\n", "a|b\n-|-\n"), COUNTS),
    "| cells": (repeated("|", "a|b\n-|-\n"), COUNTS),
    "[r]: defs": (lambda n: "".join(f"[r{i}]: http://e.org/{i}\n" for i in range(n)), COUNTS),
    "[r] uses": (repeated("[r] ", after="\n\n[r]: http://e.org/"), COUNTS),
    "*[A]: defs": (lambda n: "".join(f"*[A{i}]: x\n" for i in range(n)) + "\nA1", COUNTS),
    "Term : def": (repeated("Term\n: def\n"), COUNTS),
    "> nested": (repeated("> ", after="x"), LEVELS),
    "- nested": (repeated("- ", after="x"), LEVELS),
    "1. nested": (repeated("1. ", after="x"), LEVELS),
    "indented -": (nested(lambda i: " " * 4 * i + "- x\n"), LEVELS),
    "indented [^]:": (nested(lambda i: " " * 4 * i + f"- [^a{i}]: x\n"), LEVELS),
    "quotes deepening": (nested(lambda i: "> " * i + "- x\n"), LEVELS),
}


def seconds(body: str) -> tuple[float, str]:
    started = time.perf_counter()
    try:
        render_markdown(body)
    except RecursionError:
        return time.perf_counter() - started, "RecursionError"
    return time.perf_counter() - started, ""


def exponent(times: list[float], factor: float = 2.0) -> str:
    """Growth between the last two sizes: t grows as n to this power."""
    if len(times) < 2 or times[-2] < 0.01:
        return "-"
    return f"{math.log(times[-1] / times[-2]) / math.log(factor):.2f}"


def raw_table(names: list[str], budget: float) -> None:
    print("raw: one block of n units; seconds (refused: R), growth exponent")
    for name in names:
        make, counts = FAMILIES[name]
        cells, times, failure = [], [], ""
        for n in counts:
            body = make(n)
            spent, failure = seconds(body)
            times.append(spent)
            cells.append(f"{spent:8.3f}{'R' if body_problem(body) else ' '}")
            if failure or spent > budget:
                break
        print(f"  {name:16} {' '.join(cells):54} exp {exponent(times):>5} {failure}", flush=True)


def filler(size: int) -> str:
    rng = random.Random(1)
    parts, length = [], 0
    while length < size:
        parts.append(realistic_body(rng).strip())
        length += len(parts[-1]) + 2
    return "\n\n".join(parts)


def densest(make) -> str | None:
    """The block of the most units that check accepts, at most MAX_BLOCK characters."""
    if body_problem(make(1)):
        return None
    low, high = 1, 2
    while high < 1_000_000 and len(make(high)) <= MAX_BLOCK and not body_problem(make(high)):
        low, high = high, high * 2
    while high - low > 1:
        middle = (low + high) // 2
        if len(make(middle)) <= MAX_BLOCK and not body_problem(make(middle)):
            low = middle
        else:
            high = middle
    return make(low)


def worst_accepted(block: str, size: int, padding: str) -> str:
    """Copies of the block, as many as check accepts in `size` characters, then ordinary text."""
    def body(copies: int) -> str:
        blocks = "\n\n".join([block] * copies)
        return (blocks + "\n\n" + padding[: max(0, size - len(blocks) - 2)]).strip()

    low, high = 0, max(1, size // (len(block) + 2))
    while low < high:
        middle = (low + high + 1) // 2
        if body_problem(body(middle)):
            high = middle - 1
        else:
            low = middle
    return body(low)


def accepted_table(names: list[str]) -> None:
    padding = filler(MAX_BODY)
    print(f"accepted: the worst body check accepts, at {', '.join(f'{s:,}' for s in SIZES)} characters")
    reference = [seconds(padding[:size])[0] for size in SIZES]
    print(f"  {'ordinary text':16} {' '.join(f'{t:8.3f}' for t in reference)}   exp {exponent(reference)}")
    for name in names:
        dense = densest(FAMILIES[name][0])
        if dense is None:
            print(f"  {name:16} every body with one unit is refused")
            continue
        # The units alone, or followed by words up to the longest block: what an open "[" scans.
        shapes = [dense, (dense + " " + "word " * MAX_BLOCK)[: MAX_BLOCK].rstrip()]
        cells, times = [], []
        for size in SIZES:
            bodies = [worst_accepted(block, size, padding) for block in shapes]
            assert not any(body_problem(body) for body in bodies)
            spent, failure = max(seconds(body) for body in bodies)
            times.append(spent)
            cells.append(f"{spent:8.3f}{'!' if failure else ' '}")
        print(f"  {name:16} {' '.join(cells)} exp {exponent(times)}", flush=True)


def check_cost() -> None:
    rng = random.Random(1)
    bodies = [realistic_body(rng).strip() for _ in range(10_000)]
    best = min(_timed_checks(bodies) for _ in range(7))
    slow = []
    original = markdown_limits._first_problem
    markdown_limits._first_problem = lambda text: slow.append(text) or original(text)
    try:
        for body in bodies:
            body_problem(body)
    finally:
        markdown_limits._first_problem = original
    print(f"the check: {best * 1000:.1f} ms for 10,000 bodies of benchmarks/generate.py "
          f"({best / len(bodies) * 1e6:.2f} us each; {len(slow)} took the long way)")


def _timed_checks(bodies: list[str]) -> float:
    started = time.perf_counter()
    for body in bodies:
        body_problem(body)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description="Time Markdown constructs with and without the body limits.")
    parser.add_argument("families", nargs="*", help=f"some of: {', '.join(FAMILIES)}")
    parser.add_argument("--budget", type=float, default=3.0, help="stop a family past this many seconds")
    parser.add_argument("--check-only", action="store_true", help="only time the check")
    args = parser.parse_args()
    unknown = [name for name in args.families if name not in FAMILIES]
    if unknown:
        parser.error(f"unknown families: {', '.join(unknown)}")
    names = args.families or list(FAMILIES)
    check_cost()
    if args.check_only:
        return
    raw_table(names, args.budget)
    accepted_table(names)


if __name__ == "__main__":
    main()
