"""Write N synthetic but realistic entries in the project's format, for benchmarks.

The events are invented filler (they are never shipped as content): varied
date forms and precisions, ranges, approximate dates, tags, places with
coordinates, one to three sources with URLs, and Markdown bodies of a few
paragraphs. The same seed always gives the same files.

    python benchmarks/generate.py 10000 /tmp/bench-content [--seed 1] [--translations fr ...]

With --translations, every entry is also translated into each language (filler again), each translation
made from the entry as it is (its `translates` digest is the entry's), for the language editions' figures.
"""
from __future__ import annotations

import argparse
import random
import shutil
import sys
from datetime import date, timedelta
from pathlib import Path

import yaml

WORDS = (
    "council government ministry officials residents province district city border talks "
    "delegation spokesman statement report agency forces offensive withdrawal ceasefire "
    "negotiations election parliament vote budget court ruling appeal protest march crowd "
    "police hospital school bridge road airport port market prices harvest drought flood "
    "storm aid convoy refugees camp shelter water power grid outage repairs engineers "
    "announced confirmed denied reported said warned urged agreed rejected postponed "
    "opened closed captured retook evacuated arrived left signed proposed approved "
    "early late morning afternoon evening overnight weekly monthly regional national local "
    "international several dozens hundreds thousands few many most some new former acting "
    "senior junior chief deputy commission committee inquiry findings figures estimates"
).split()
TAGS = (
    "Politics", "Elections", "Economy", "Trade", "Health", "Education", "Transport", "Energy",
    "Climate", "Floods", "Drought", "Diplomacy", "Talks", "Security", "Courts", "Protests",
    "Refugees", "Aid", "Infrastructure", "Agriculture", "Labour", "Housing", "Media",
    "Technology", "Culture", "Sport", "Religion", "Migration", "Borders", "Budget",
    "Parliament", "Local government", "Human rights", "Corruption", "Water", "Public health",
)
PLACES = (
    ("Northbridge", "North Province", "Arland", 48.2, 16.4),
    ("Eastport", "Coastal Region", "Arland", 43.1, 18.9),
    ("Mill Hollow", "Valley District", "Arland", 45.7, 14.2),
    ("Redford", "Plains Region", "Berovia", 51.3, 21.0),
    ("Saltmarsh", "Delta Province", "Berovia", 39.9, 23.4),
    ("Highcross", None, "Berovia", 50.1, 19.8),
    ("Kestrel Bay", "Island Region", "Calmora", 36.5, 27.3),
    ("Ironvale", "Mountain District", "Calmora", 41.2, 25.6),
    ("Oakmere", None, None, None, None),
)
OUTLETS = (
    ("Daily Ledger", "https://ledger.example.com/news/"),
    ("Regional Wire", "https://wire.example.org/stories/"),
    ("Evening Courier", "https://courier.example.net/"),
    ("Public Broadcaster", "https://broadcast.example.com/articles/"),
    ("Ministry press office", "https://gov.example.org/press/"),
    ("Field reporter", None),
)
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
SETTINGS = {
    "title": "Benchmark timeline",
    "description": "Synthetic events for measuring build speed.",
    "base_url": "https://bench.example.org/timeline/",
    "language": "en",
    "timezone": "Europe/London",
    "publisher": "Benchmark desk",
}


def sentence(rng: random.Random, low: int = 8, high: int = 22) -> str:
    words = rng.choices(WORDS, k=rng.randint(low, high))
    return words[0].capitalize() + " " + " ".join(words[1:]) + "."


def paragraph(rng: random.Random) -> str:
    text = " ".join(sentence(rng) for _ in range(rng.randint(2, 5)))
    if rng.random() < 0.3:
        word = rng.choice(WORDS)
        text = text.replace(f" {word} ", f" **{word}** ", 1)
    if rng.random() < 0.25:
        name, url = rng.choice(OUTLETS[:5])
        text += f" [{name}]({url}) has more."
    return text


def body(rng: random.Random) -> str:
    parts = [paragraph(rng) for _ in range(rng.randint(2, 5))]
    if rng.random() < 0.2:
        parts.insert(1, "\n".join(f"- {sentence(rng, 4, 9)}" for _ in range(rng.randint(2, 4))))
    if rng.random() < 0.15:
        parts.append("> " + sentence(rng))
    return "\n\n".join(parts) + "\n"


def written_date(rng: random.Random, day: date) -> tuple[str, str]:
    """A date as an editor might write it, and its precision."""
    roll = rng.random()
    if roll < 0.45:
        return day.isoformat(), "day"
    if roll < 0.6:
        return f"{day.day} {MONTHS[day.month - 1]} {day.year}", "day"
    if roll < 0.72:  # a local time, never in the hours the clocks skip or repeat when daylight saving starts or ends
        return f"{day.isoformat()} {rng.randint(4, 23):02d}:{rng.choice((0, 15, 30, 45)):02d}", "minute"
    if roll < 0.78:
        return f"{day.isoformat()}T{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}+04:30", "minute"
    if roll < 0.88:
        return f"{day.year}-{day.month:02d}", "month"
    if roll < 0.95:
        return f"{MONTHS[day.month - 1]} {day.year}", "month"
    return str(day.year), "year"


def entry(rng: random.Random, number: int) -> dict:
    day = date(2000, 1, 1) + timedelta(days=rng.randrange(25 * 365))
    written, precision = written_date(rng, day)
    fields: dict = {"title": sentence(rng, 4, 12)[:-1][:120], "date": written}
    if precision == "day" and rng.random() < 0.1:
        fields["end_date"] = (day + timedelta(days=rng.randint(1, 120))).isoformat()
    if rng.random() < 0.05:
        fields["circa"] = True
    if rng.random() < 0.05:
        fields["date_label"] = rng.choice(("Early that week", "Overnight", "Around noon", "That weekend"))
    if rng.random() < 0.9:
        fields["summary"] = sentence(rng, 12, 30)
    fields["body"] = body(rng)
    fields["tags"] = rng.sample(TAGS, rng.randint(0, 4))
    if rng.random() < 0.75:
        name, region, country, lat, lon = rng.choice(PLACES)
        place = {"name": name, "region": region, "country": country, "lat": lat, "lon": lon}
        fields["place"] = {k: v for k, v in place.items() if v is not None}
    fields["sources"] = [source(rng, day, number, i) for i in range(rng.randint(1, 3))]
    if rng.random() < 0.03:
        fields["updated"] = (day + timedelta(days=rng.randint(1, 30))).isoformat()
        fields["corrections"] = [{"date": fields["updated"], "text": sentence(rng)}]
    if rng.random() < 0.02:
        fields["aliases"] = [f"former-event-{number:06d}"]
    return fields


def source(rng: random.Random, day: date, number: int, index: int) -> dict:
    name, url = rng.choice(OUTLETS)
    result: dict = {"name": name}
    if url:
        result["url"] = f"{url}{day.year}/{number:06d}-{index}"
    if rng.random() < 0.6:
        result["title"] = sentence(rng, 4, 10)[:-1]
    if rng.random() < 0.5:
        result["date"] = (day + timedelta(days=rng.randint(0, 3))).isoformat()
    if rng.random() < 0.3:
        result["quote"] = sentence(rng)
    return result


def entry_id(rng: random.Random, number: int) -> str:
    return f"{rng.choice(WORDS)}-{rng.choice(WORDS)}-{number:06d}"


def generate(folder: Path, count: int, seed: int = 1) -> list[Path]:
    """Replace `folder` with a content folder of `count` entries; return the entry files."""
    if folder.exists():
        shutil.rmtree(folder)
    entries_dir = folder / "entries"
    entries_dir.mkdir(parents=True)
    (folder / "timeline.yaml").write_text(dump(SETTINGS), encoding="utf-8")
    rng = random.Random(seed)
    paths = []
    for number in range(count):
        path = entries_dir / f"{entry_id(rng, number)}.yaml"
        path.write_text(dump(entry(rng, number)), encoding="utf-8")
        paths.append(path)
    return paths


def translate(folder: Path, languages: list[str], seed: int = 1) -> None:
    """Add `languages` to the settings and a translation of every entry of `folder` into each."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # this checkout's builder, as build.py runs it
    from timeline.editions import text_digest
    from timeline.load import load_content

    entries = load_content(folder).entries
    settings = folder / "timeline.yaml"
    settings.write_text(settings.read_text(encoding="utf-8") + dump({"translations": languages}), encoding="utf-8")
    rng = random.Random(seed + 1)
    for language in languages:
        translations = folder / "translations" / language / "entries"
        translations.mkdir(parents=True)
        (translations.parent / "timeline.yaml").write_text(dump({"title": sentence(rng, 3, 6)}), encoding="utf-8")
        for entry in entries:
            fields = {"translates": text_digest(entry), "title": sentence(rng, 4, 10)[:100].rstrip(),
                      "summary": sentence(rng), "body": body(rng)}
            (translations / f"{entry.id}.yaml").write_text(dump(fields), encoding="utf-8")


def dump(fields: dict) -> str:
    return yaml.dump(_quoted(fields), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


class _Value(str):
    """A text value (not a key): quoted, so no title can turn into a YAML number or boolean."""


def _quoted(value):
    if isinstance(value, dict):
        return {key: _quoted(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_quoted(item) for item in value]
    return _Value(value) if isinstance(value, str) else value


class _Dumper(yaml.SafeDumper):
    pass


def _represent_value(dumper: yaml.SafeDumper, value: _Value):
    style = "|" if "\n" in value else '"'
    return dumper.represent_scalar("tag:yaml.org,2002:str", str(value), style=style)


_Dumper.add_representer(_Value, _represent_value)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--translations", nargs="+", default=[], metavar="LANGUAGE",
                        help="translate every entry into these languages too (language editions)")
    args = parser.parse_args()
    generate(args.folder, args.count, args.seed)
    if args.translations:
        translate(args.folder, args.translations, args.seed)
    print(f"wrote {args.count} entries into {args.folder}"
          + (f", translated into {', '.join(args.translations)}" if args.translations else ""))


if __name__ == "__main__":
    main()
