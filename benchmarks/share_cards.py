"""Time the share cards (timeline/cards.py) alone: what one card costs to lay out and to draw and write
as PNG, and how large it is, on the entries of a synthetic timeline (generate.py).

    .venv/bin/python benchmarks/share_cards.py            # 1,000 cards
    .venv/bin/python benchmarks/share_cards.py --count 200

CPU time of this process (time.process_time), after a first card that loads the font.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO / "benchmarks"), str(REPO)]  # the scripts beside this one, and the tool itself

from generate import generate  # noqa: E402
from timeline import cards  # noqa: E402
from timeline.load import load_content  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="timeline-cards-") as folder:
        generate(Path(folder) / "content", args.count)
        loaded = load_content(Path(folder) / "content")
    entries, settings = sorted(loaded.entries, key=lambda entry: entry.id), loaded.settings
    cards.draw_card(entries[0], settings)  # loads the font and its character map
    started = time.process_time()
    layouts = [cards.layout(cards.card_for(entry, settings)) for entry in entries]
    laid_out = time.process_time() - started
    started = time.process_time()
    sizes = [len(cards.png(layout)) for layout in layouts]
    drawn = time.process_time() - started
    count = len(entries)
    print(f"{count:,} cards: layout {laid_out / count * 1000:.2f} ms, drawing and PNG {drawn / count * 1000:.2f} ms "
          f"of CPU each; {statistics.mean(sizes) / 1024:.1f} KB each on average "
          f"({min(sizes) / 1024:.1f} to {max(sizes) / 1024:.1f} KB), {sum(sizes) / 1e6:.1f} MB in all")


if __name__ == "__main__":
    main()
