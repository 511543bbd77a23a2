"""Write timeline/calendar_names.py: the month names, date patterns, eras and digits of the calendars a
timeline may show beside the Gregorian one, per locale, taken from the Unicode CLDR JSON packages.

    python tools/cldr_calendars.py                  # installs the pinned packages with npm into a temporary folder
    python tools/cldr_calendars.py --from DIR       # reads DIR/node_modules/cldr-* (already installed)

Babel ships CLDR's Gregorian calendar only, so the other calendars come from CLDR's own JSON. The packages are
pinned below (the registry has no single release that holds both calendars); the generated module records
them and CLDR's licence. Running the script again with the same packages writes the same bytes.
"""
from __future__ import annotations

import argparse
import json
import pprint
import re
import subprocess
import sys
import tempfile
from pathlib import Path

PACKAGES = {"cldr-cal-persian-full": "46.1.0", "cldr-cal-islamic-full": "48.2.0",
            "cldr-numbers-full": "48.2.0", "cldr-core": "48.2.0"}
OUTPUT = Path(__file__).resolve().parent.parent / "timeline" / "calendar_names.py"

# The project's languages. "en" is read from CLDR's en-001 (international English): it writes day, month,
# year ("15 Muharram 1443 AH"), as the site writes Gregorian dates ("6 August 2021").
LOCALES = ("en", "fa-AF", "ps", "ar", "fr", "es", "de", "ru", "uk", "tr", "ur", "zh-Hans")
CLDR_LOCALE = {"en": "en-001"}

# The Solar Hijri calendar as Afghanistan names its months: the signs of the zodiac. CLDR gives those
# names for fa-AF (Dari: حمل، ثور ...) and ps (Pashto: وری، غویی ...); zh-Hans numbers the months. Every other
# locale's CLDR names for the persian calendar are Iran's (en: Farvardin, Ordibehesht, ... Mordad), which an
# Afghan timeline must not show, so those locales fall back to English.
SOLAR_HIJRI_LOCALES = ("en", "fa-AF", "ps", "zh-Hans")

# CLDR has no English names for the Afghan months, so English keeps this table: the fa-AF names above, in the
# English spelling the project's issue gives (Afghan English-language writing spells several of them in more
# than one way: Saur or Sawr, Sunbula or Sonbola, Hoot or Hut). The year is marked SH (Solar Hijri), one of the
# abbreviations English uses for this calendar (SH, HS, AHSh), not CLDR's AP (Anno Persico), which Afghan usage
# does not know.
AFGHAN_MONTHS_ENGLISH = ("Hamal", "Sawr", "Jawza", "Saratan", "Asad", "Sonbola", "Mizan", "Aqrab", "Qaws",
                         "Jadi", "Dalw", "Hut")
SOLAR_HIJRI_ERA_ENGLISH = "SH"

# What each precision is written with: a CLDR skeleton for one date, and the interval skeleton for two.
# The MMM skeletons are the ones every locale has at all three precisions; timeline/calendars.py writes
# every month name in full, as the site writes Gregorian months.
FORMATS = {"day": "yyyyMMMd", "month": "yyyyMMM", "year": "yyyy"}
INTERVALS = {"day": "yMMMd", "month": "yMMM", "year": "y"}
# The pattern fields timeline/calendars.py writes; any other in CLDR's data is refused here, not at build time.
FIELDS = re.compile(r"'(?:[^']|'')*'|(?P<field>[A-Za-z])(?P=field)*|[^A-Za-z']+")
KNOWN_FIELDS = set("GyMLd")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--from", dest="folder", type=Path, help="a folder whose node_modules holds the packages")
    args = parser.parse_args()
    if args.folder is not None:
        OUTPUT.write_text(module_text(args.folder / "node_modules"), encoding="utf-8")
    else:
        with tempfile.TemporaryDirectory() as folder:
            install(Path(folder))
            OUTPUT.write_text(module_text(Path(folder) / "node_modules"), encoding="utf-8")
    print(f"wrote {OUTPUT}")
    return 0


def install(folder: Path) -> None:
    """The pinned packages, in `folder`; their peer dependencies name other CLDR releases, hence the flag."""
    specs = [f"{name}@{version}" for name, version in PACKAGES.items()]
    subprocess.run(["npm", "install", "--prefix", str(folder), "--no-save", "--no-audit", "--no-fund",
                    "--legacy-peer-deps", *specs], check=True)


def module_text(modules: Path) -> str:
    versions = {name: _json(modules / name / "package.json") for name in PACKAGES}
    for name, wanted in PACKAGES.items():
        if versions[name]["version"] != wanted:
            raise SystemExit(f"{name} is {versions[name]['version']}, not the pinned {wanted}")
    digits = _digits(modules)
    persian = {locale: _calendar(modules, "persian", locale, digits[locale]) for locale in SOLAR_HIJRI_LOCALES}
    persian["en"] |= {"months": AFGHAN_MONTHS_ENGLISH, "standalone": AFGHAN_MONTHS_ENGLISH,
                      "era": SOLAR_HIJRI_ERA_ENGLISH}
    islamic = {locale: _calendar(modules, "islamic-umalqura", locale, digits[locale]) for locale in LOCALES}
    sources = {"solar-hijri": _source(versions["cldr-cal-persian-full"]),
               "islamic-umalqura": _source(versions["cldr-cal-islamic-full"]),
               "digits": _source(versions["cldr-numbers-full"]) + " and " + _source(versions["cldr-core"])}
    licence = (modules / "cldr-cal-persian-full" / "LICENSE").read_text(encoding="utf-8").strip()
    return HEADER.format(licence="\n".join(f"# {line}".rstrip() for line in licence.splitlines())) + "\n".join((
        f"SOURCES = {pprint.pformat(sources, width=110, sort_dicts=False)}",
        f"# Not CLDR's: English has no Afghan month names there (see tools/cldr_calendars.py).",
        f"ENGLISH_AFGHAN_MONTHS = {AFGHAN_MONTHS_ENGLISH!r}",
        f"NAMES = {pprint.pformat({'solar-hijri': persian, 'islamic-umalqura': islamic}, width=110, sort_dicts=False)}",
        ""))


HEADER = '''"""Month names, date patterns, eras and digits of the calendars timeline/calendars.py writes, per locale.

Generated by tools/cldr_calendars.py from the Unicode CLDR JSON packages named in SOURCES; run it again
rather than editing this file. The English names of the Afghan months are the one table that is not CLDR's.
"""
# CLDR's data is used under its licence:
#
{licence}

'''


def _source(package: dict) -> str:
    return f"{package['name']} {package['version']} (CLDR {package['cldrVersion']}, {package['license']})"


def _calendar(modules: Path, calendar: str, locale: str, digits: str) -> dict:
    cldr = CLDR_LOCALE.get(locale, locale)
    package = "cldr-cal-persian-full" if calendar == "persian" else "cldr-cal-islamic-full"
    data = _json(modules / package / "main" / cldr / f"ca-{calendar}.json")["main"][cldr]["dates"]["calendars"]
    data = data[calendar]
    available, intervals = data["dateTimeFormats"]["availableFormats"], data["dateTimeFormats"]["intervalFormats"]
    months = data["months"]
    entry = {
        "months": _twelve(months["format"]["wide"]),
        "standalone": _twelve(months["stand-alone"]["wide"]),
        "era": data["eras"]["eraAbbr"]["0"],
        "digits": digits,
        "formats": {precision: _checked(available[skeleton]) for precision, skeleton in FORMATS.items()},
        "intervals": {precision: {field: _checked(pattern) for field, pattern in intervals[skeleton].items()
                                  if field in "yMd"}
                      for precision, skeleton in INTERVALS.items()},
    }
    return entry


def _twelve(names: dict) -> tuple[str, ...]:
    return tuple(names[str(month)] for month in range(1, 13))


def _checked(pattern: str) -> str:
    for match in FIELDS.finditer(pattern):
        if match["field"] and match["field"] not in KNOWN_FIELDS:
            raise SystemExit(f"the pattern {pattern!r} has the field {match['field']!r}, which calendars.py does not write")
    return pattern


def _digits(modules: Path) -> dict[str, str]:
    """Each locale's digits, as its default numbering system writes them (۱۴۰۰ in fa-AF, 1400 in en)."""
    systems = _json(modules / "cldr-core" / "supplemental" / "numberingSystems.json")
    systems = systems["supplemental"]["numberingSystems"]
    result = {}
    for locale in LOCALES:
        cldr = CLDR_LOCALE.get(locale, locale)
        numbers = _json(modules / "cldr-numbers-full" / "main" / cldr / "numbers.json")["main"][cldr]["numbers"]
        result[locale] = systems[numbers["defaultNumberingSystem"]]["_digits"]
    return result


def _json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


if __name__ == "__main__":
    sys.exit(main())
