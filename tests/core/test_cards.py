"""Share cards (timeline/cards.py): a valid PNG of the share size, the same bytes every time, text that
fits its place whatever its length, and titles the font cannot draw as written left off, not drawn."""
from __future__ import annotations

import io
import re
import struct
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PIL import Image, ImageChops

from support import TEMPLATES
from timeline import cards
from timeline.dates import parse_date
from timeline.locales import language_for
from timeline.model import Entry, Settings, Source

REPO = Path(__file__).resolve().parents[2]
KABUL = ZoneInfo("Asia/Kabul")
SETTINGS = Settings(title="The Taliban offensive of 2021", short_title="Afghanistan 2021",
                    base_url="https://example.org/", timezone="Asia/Kabul", language="en-GB")
LONG_TITLE = ("Taliban fighters take the provincial capital after days of heavy fighting, officials say, as "
              "residents flee towards the border and the government promises to retake the city within days, "
              "while talks in Doha stall and the United States prepares the last flights of its withdrawal from "
              "the country")


def entry(entry_id: str = "an-entry", title: str = "Zaranj, capital of Nimroz, falls to the Taliban",
          day: str = "2021-08-06", **fields) -> Entry:
    return Entry(id=entry_id, source_path=f"{entry_id}.yaml", title=title, date=parse_date(day, KABUL),
                 sources=(Source("Tolo News"),), **fields)


ENTRY = entry()


def drawn(item: Entry, settings: Settings = SETTINGS, formats=None) -> tuple[cards.Layout, Image.Image, bytes]:
    data = cards.draw_card(item, settings, formats)
    image = Image.open(io.BytesIO(data))
    image.load()
    return cards.layout(cards.card_for(item, settings, formats)), image, data


def chunks(data: bytes) -> list[bytes]:
    """The chunk types of a PNG file, in order."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    found, position = [], 8
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position:position + 8])
        found.append(kind)
        position += 12 + length
    return found


def test_a_card_is_a_png_of_the_share_size_with_no_metadata():
    _, image, data = drawn(ENTRY)
    assert image.format == "PNG" and image.size == (1200, 630) == (cards.WIDTH, cards.HEIGHT)
    assert chunks(data) == [b"IHDR", b"PLTE", b"IDAT", b"IEND"]  # no time, no text, no physical size
    assert image.info == {}


def test_the_same_card_gives_the_same_bytes_in_another_process():
    here = cards.draw_card(ENTRY, SETTINGS)
    script = (f"import sys; sys.path[:0] = [{str(REPO)!r}, {str(REPO / 'tests')!r}]\n"
              "from core.test_cards import ENTRY, SETTINGS\n"
              "from timeline import cards\n"
              "sys.stdout.buffer.write(cards.draw_card(ENTRY, SETTINGS))\n")
    there = subprocess.run([sys.executable, "-c", script], capture_output=True, check=True, cwd=REPO / "tests").stdout
    assert here == there
    assert cards.draw_card(replace(ENTRY, title="Another title"), SETTINGS) != here


def test_every_pixel_is_one_of_the_sites_colours_or_a_blend_of_one_over_the_background():
    _, image, _ = drawn(replace(ENTRY, key=True, status="scheduled", draft=True))
    _, plain, _ = drawn(ENTRY)
    rgb = Image.new("RGB", (image.width, image.height * 2))
    rgb.paste(image.convert("RGB"), (0, 0))
    rgb.paste(plain.convert("RGB"), (0, image.height))
    assert rgb.getpixel((0, 0)) == cards._rgb(cards.BACKGROUND)
    used = {colour for _, colour in rgb.getcolors(maxcolors=1 << 16)}
    inks = (cards.TEXT, cards.MUTED, cards.MARKER, cards.KEY, cards.ACCENT, cards.DRAFT)
    allowed = {cards._rgb(cards.BACKGROUND), cards._rgb(cards.LINE)} | {
        cards._rgb(cards._blend(ink, level / cards.LEVELS)) for ink in inks for level in range(1, cards.LEVELS + 1)}
    assert used <= allowed
    for ink in inks:  # the title, the date, the mark and each word are drawn in their own colour
        assert cards._rgb(ink) in used, ink


def test_the_colours_are_the_sites_light_colours():
    css = (REPO / "templates" / "static" / "site.css").read_text(encoding="utf-8")
    light = css[css.index(":root {"):css.index("}", css.index(":root {"))]
    colours = dict(re.findall(r"--([a-z-]+):\s*(#[0-9a-f]{6})", light))
    assert (cards.BACKGROUND, cards.TEXT, cards.MUTED, cards.LINE, cards.MARKER, cards.KEY, cards.ACCENT,
            cards.DRAFT) == tuple(colours[name] for name in ("bg", "fg", "muted", "line", "marker", "key", "accent",
                                                             "draft"))


def assert_inside(layout: cards.Layout, image: Image.Image) -> None:
    """Every text and box of the layout within the card's safe area and apart from the others, and
    nothing drawn anywhere else."""
    boxes = [text.box for text in layout.texts] + [box for box, _, _ in layout.boxes]
    for left, top, right, bottom in boxes:
        assert cards.SAFE <= left <= right <= cards.WIDTH - cards.SAFE, (left, right)
        assert cards.SAFE <= top <= bottom <= cards.HEIGHT - cards.SAFE, (top, bottom)
    texts = [text.box for text in layout.texts]
    for number, one in enumerate(texts):  # each pixel is drawn by one thing at most (cards.png)
        assert not any(overlap(one, other) for other in texts[number + 1:]), one
        for box, _, outline in layout.boxes:
            inner = (box[0] + outline, box[1] + outline, box[2] - outline, box[3] - outline)
            assert not overlap(one, box) or outline and one[0] >= inner[0] and one[1] >= inner[1] \
                and one[2] <= inner[2] and one[3] <= inner[3], (one, box)
    allowed = Image.new("L", image.size, 0)
    for left, top, right, bottom in boxes:
        allowed.paste(255, (left - 1, top - 1, right + 2, bottom + 2))
    background = Image.new("RGB", image.size, cards.BACKGROUND)
    painted = ImageChops.difference(image.convert("RGB"), background).convert("L").point(lambda v: 255 if v else 0)
    assert ImageChops.multiply(painted, ImageChops.invert(allowed)).getbbox() is None  # nothing painted elsewhere


def overlap(one: tuple, other: tuple) -> bool:
    """Whether two boxes (left, top, right, bottom, both ends drawn) share a pixel."""
    return not (one[2] < other[0] or other[2] < one[0] or one[3] < other[1] or other[3] < one[1])


@pytest.mark.parametrize("title", [
    "Kabul falls",
    "Zaranj, capital of Nimroz, falls to the Taliban",
    LONG_TITLE[:120],  # the longest title check accepts
    LONG_TITLE,  # 300 characters
    "Wordwithoutanyspacewhatsoeverthatrunsonandonlongerthananylineofthecardcouldeverholdintheend" * 3,
])
def test_a_title_of_any_length_fits_the_card(title):
    layout, image, _ = drawn(replace(ENTRY, title=title, key=True, status="scheduled", draft=True))
    assert_inside(layout, image)
    lines = [text for text in layout.texts if text.ink == cards.TEXT and text.baseline > cards.TITLE_TOP
             and text.text != cards.DOT]
    shown = " ".join(text.text for text in lines)
    if len(title) > 200:
        assert shown.endswith(cards.ELLIPSIS) and len(lines) > 1
        assert shown[:-1].replace(" ", "") in title.replace(" ", "")
    else:
        assert shown.replace(" ", "") == title.replace(" ", "")
    assert lines[0].size == max(text.size for text in lines)


def test_short_titles_are_drawn_larger_than_long_ones():
    short, _, _ = drawn(replace(ENTRY, title="Kabul falls"))
    long, _, _ = drawn(replace(ENTRY, title=LONG_TITLE))
    size = lambda layout: max(text.size for text in layout.texts if text.ink == cards.TEXT)  # noqa: E731
    assert size(short) == cards.TITLE_SIZES[0] and size(long) == cards.TITLE_SIZES[-1]


@pytest.mark.parametrize("title", [
    "طالبان تسيطر على زرنج عاصمة ولاية نيمروز",  # Arabic: right to left, letters joined
    "طالبان زرنج را تصرف کردند",  # Persian
    "הטליבאן כובשים את זרנג'",  # Hebrew: right to left (the font has no Hebrew either)
    "塔利班占领尼姆鲁兹省首府扎兰季",  # Chinese: no glyphs
    "तालिबान ने ज़रंज पर कब्ज़ा किया",  # Devanagari: no glyphs, and shaping
    "Zaranj falls \U0001F525",  # an emoji the font lacks
    "Kabul \u0643\u0627\u0628\u0644",  # Latin with Arabic in it
])
def test_a_title_the_font_cannot_draw_as_written_is_left_off(title):
    item = replace(ENTRY, title=title)
    card = cards.card_for(item, SETTINGS)
    assert card.title is None
    assert card.when == "6 August 2021" and card.site_name == "Afghanistan 2021"
    layout, image, _ = drawn(item)
    assert_inside(layout, image)
    in_title_colour = [text.text for text in layout.texts if text.ink == cards.TEXT]
    assert in_title_colour == ["Afghanistan 2021", "6 August 2021"]  # the date in the title's place
    assert not any(character in text.text for text in layout.texts for character in title if ord(character) > 0x2ff)


@pytest.mark.parametrize("title, shown", [
    ("Zürich façade, São Paulo, Kraków, İstanbul", None),
    ("Ελλάδα: Η Αθήνα", None),
    ("Москва и Київ", None),
    ("Zu\u0308rich", "Zürich"),  # decomposed: drawn composed
    ("\u2068Kabul\u2069 falls\u200b", "Kabul falls"),  # isolates and zero-width characters are invisible
    ("Kabul  falls", "Kabul falls"),
])
def test_latin_greek_and_cyrillic_titles_are_drawn(title, shown):
    assert cards.card_for(replace(ENTRY, title=title), SETTINGS).title == (shown or title)


def test_a_date_label_the_font_cannot_draw_gives_way_to_the_date():
    card = cards.card_for(replace(ENTRY, date_label="صباح الجمعة", circa=True), SETTINGS)
    assert card.when == "c. 6 August 2021" and card.title is not None
    assert cards.card_for(replace(ENTRY, date_label="Friday morning", circa=True), SETTINGS).when == \
        "Friday morning (approximate)"


def test_a_site_name_the_font_cannot_draw_is_left_off():
    settings = replace(SETTINGS, short_title="أفغانستان 2021")
    layout, image, _ = drawn(ENTRY, settings)
    assert cards.card_for(ENTRY, settings).site_name is None
    assert "أفغانستان 2021" not in [text.text for text in layout.texts]
    assert_inside(layout, image)


def test_the_date_is_shown_as_the_page_shows_it():
    ranged = replace(ENTRY, end_date=parse_date("2021-08-09", KABUL))
    timed = replace(ENTRY, date=parse_date("2021-08-06 14:30", KABUL), circa=True)
    assert cards.card_for(ranged, SETTINGS).when == "6\u2009–\u20099 August 2021"
    assert cards.card_for(timed, SETTINGS).when == "c. 6 August 2021, 14:30 (UTC+4:30)"


def test_the_words_and_the_date_are_the_sites_language_from_its_catalogue():
    item = replace(ENTRY, draft=True, status="scheduled", key=True, circa=True)
    french = replace(SETTINGS, language="fr")
    card = cards.card_for(item, french, language_for("fr", TEMPLATES).formats)
    assert (card.words, card.inks) == (("Brouillon", "Prévu", "Moment clé"), (cards.DRAFT, cards.ACCENT, cards.KEY))
    assert card.when == "vers 6 août 2021"
    assert {"BROUILLON", "PRÉVU", "MOMENT CLÉ", "vers 6 août 2021"} <= {text.text for text in cards.layout(card).texts}
    labelled = replace(ENTRY, date_label="Friday morning", circa=True)
    assert cards.card_for(labelled, french, language_for("fr", TEMPLATES).formats).when == "Friday morning (approximatif)"
    # Without the catalogue's words, the English ones.
    assert cards.card_for(item, french).words == ("Draft", "Scheduled", "Key moment")


def test_words_and_dates_the_font_cannot_draw_as_written_are_left_off():
    """Dari words and a Dari date need shaping right to left: the card shows the title alone, and its
    description says so."""
    item, dari = replace(ENTRY, draft=True, key=True), replace(SETTINGS, language="fa-AF")
    formats = language_for("fa-AF", TEMPLATES).formats
    card = cards.card_for(item, dari, formats)
    assert (card.words, card.when, card.title) == ((), None, ENTRY.title)
    layout, image, _ = drawn(item, dari, formats)
    assert [text.text for text in layout.texts if text.text not in (cards.DOT, cards.HOLLOW)] == \
        ["Afghanistan 2021", *cards.wrapped(ENTRY.title, cards._font(layout.texts[-2].size), 1200 - 2 * cards.MARGIN),
         "example.org"]
    assert_inside(layout, image)


def test_words_say_draft_status_and_key_moment_in_their_colours():
    item = replace(ENTRY, draft=True, status="ongoing", key=True)
    assert cards.card_for(item, SETTINGS).words == ("Draft", "Ongoing", "Key moment")
    layout, _, _ = drawn(item)
    inks = {text.text: text.ink for text in layout.texts}
    assert (inks["DRAFT"], inks["ONGOING"], inks["KEY MOMENT"]) == (cards.DRAFT, cards.ACCENT, cards.KEY)
    assert cards.card_for(ENTRY, SETTINGS).words == ()


@pytest.mark.parametrize("fields, glyph, ink, size", [
    ({}, cards.DOT, cards.MARKER, cards.DOT_SIZE),
    ({"circa": True}, cards.HOLLOW, cards.MARKER, cards.DOT_SIZE),
    ({"key": True}, cards.DOT, cards.KEY, cards.KEY_DOT_SIZE),
    ({"status": "ongoing"}, cards.HOLLOW, cards.ACCENT, cards.DOT_SIZE),
])
def test_the_entry_is_marked_on_the_line_as_the_list_marks_it(fields, glyph, ink, size):
    layout, image, _ = drawn(replace(ENTRY, **fields))
    [mark] = [text for text in layout.texts if text.text in (cards.DOT, cards.HOLLOW)]
    assert (mark.text, mark.ink, mark.size) == (glyph, ink, size)
    assert abs((mark.box[0] + mark.box[2]) / 2 - cards.LINE_X) <= 1
    line = [box for box, ink, _ in layout.boxes if ink == cards.LINE and box[0] < cards.MARGIN]
    assert len(line) == 2 and line[0][3] < mark.box[1] and mark.box[3] < line[1][1]  # broken around the mark
    assert image.convert("RGB").getpixel((cards.LINE_X, cards.HEIGHT - cards.SAFE - 10)) == cards._rgb(cards.LINE)


def test_the_card_shows_the_sites_address():
    layout, _, _ = drawn(ENTRY, replace(SETTINGS, base_url="https://news.example.org/timelines/kabul/"))
    assert layout.texts[-1].text == "news.example.org/timelines/kabul" and layout.texts[-1].ink == cards.MUTED
