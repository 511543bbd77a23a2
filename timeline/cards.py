"""Share cards: the picture a link to an entry shows on social sites and in chat apps (its og:image),
drawn when the site is built, for each entry without media of its own.

A card is WIDTH x HEIGHT pixels, the size Facebook, LinkedIn and Slack show large (X shows it at 2:1,
cutting 15 pixels from its top and bottom, where nothing is drawn). It shows the timeline's name, the
entry's date as its page shows it (in the settings' other calendars too), its draft, status and
key-moment words (in the site's language: the templates' own messages, from its catalogue), its title and the site's address, beside the line and mark the timeline's list
draws for an entry, in the site's light colours (templates/static/site.css). It shows nothing of the other entries (such as where this one falls among
them, as its page's locator does), so that a new entry, or another's new date, draws no other card again.

The same card gives the same bytes on every machine with the same build of Pillow: the font is
bundled (fonts/, with its licence), text is laid out by Pillow's basic layout (never raqm, which is
there or not depending on the machine's FriBiDi), every pixel is one of a fixed palette, and the PNG
is written with fixed settings and no metadata (no time, no text chunks). Pillow's own FreeType and
zlib shape the bytes, so the build's code identity includes Pillow (speed/store.py).

Text the font cannot draw as it is written is left off rather than drawn as empty boxes, backwards or
with its letters unjoined: a text with a character the font lacks (Chinese, Devanagari, most emoji)
or written right to left (Arabic, Hebrew, which need shaping that the basic layout does not do).
A card whose title is left off shows its date in the title's place; the entry page's og:image:alt
says what the card shows (card_for gives both).

Pillow and fontTools are imported when a card is first drawn or described, not with this module.
"""
from __future__ import annotations

import functools
import io
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from .calendars import other_date
from .locales import Formats, formats_for
from .model import Entry, Settings

WIDTH, HEIGHT = 1200, 630
FONT = Path(__file__).resolve().parent / "fonts" / "DejaVuSerifCondensed-Bold.ttf"
ELLIPSIS = "\u2026"

# The site's light colours (site.css, :root); a test keeps them the same.
BACKGROUND = "#fbfaf7"
TEXT = "#1b1b1b"
MUTED = "#575757"
LINE = "#c9c3b8"
MARKER = "#b3261e"
KEY = "#7a1b14"
ACCENT = "#0b52a0"
DRAFT = "#8a4b00"
# Each ink is kept at this many levels of coverage over the background, for the edges of its letters.
LEVELS = 16
# zlib's level for the PNG: the fastest levels take as long as this one, and the slower ones cost more
# time than they save bytes (benchmarks/README.md).
COMPRESSION = 3


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def _blend(ink: str, opacity: float) -> str:
    """`ink` at `opacity` over the background."""
    mixed = [round(b + (i - b) * opacity) for i, b in zip(_rgb(ink), _rgb(BACKGROUND))]
    return "#" + "".join(f"{part:02x}" for part in mixed)


# The layout, in pixels. Text is placed by its baseline.
MARGIN = 72  # left and right of the text
SAFE = 24  # nothing is drawn within this of the card's edges
NAME_SIZE, NAME_BASELINE, RULE_Y = 34, 92, 116
WHEN_SIZES, WHEN_BASELINE = (32, 28, 24), 172
WORD_SIZE, WORD_PADDING, WORD_GAP = 20, 9, 14
TITLE_SIZES = (72, 64, 56, 50, 44)  # the largest at which the whole title fits is used
TITLE_TOP, TITLE_BOTTOM, LEADING = 200, 548, 1.16
ADDRESS_SIZE, ADDRESS_BASELINE = 24, HEIGHT - SAFE - 14
# The list's line and the entry's mark on it (.entries, .entry::before), as glyphs of the font, so
# that their edges are smooth as the letters' are: a dot, larger for a key moment, hollow for an
# approximate date or an event not yet over.
LINE_X, LINE_WIDTH = 40, 2
DOT, HOLLOW, DOT_SIZE, KEY_DOT_SIZE, RING = "\u25cf", "\u25cb", 30, 38, 1  # RING: the hollow mark's stroke

_RIGHT_TO_LEFT = {"R", "AL", "AN"}


@dataclass(frozen=True)
class Card:
    """What an entry's card says, as plain text: `title` and `site_name` are None when the font cannot
    draw them as written (see the module's docstring)."""

    title: str | None
    when: str | None  # None when the font can draw none of the date as the page writes it
    site_name: str | None
    words: tuple[str, ...]  # as the site's language writes them, each the font can draw
    address: str  # the site's, without its scheme
    mark: str  # the ink of the entry's mark on the list's line
    inks: tuple[str, ...] = ()  # the ink of each of the words
    hollow: bool = False
    large: bool = False


@dataclass(frozen=True)
class Text:
    """A line of text as the layout places it: `box` is what it covers (left, top, right, bottom)."""

    text: str
    size: int
    x: int
    baseline: int
    ink: str
    box: tuple[int, int, int, int]
    stroke: int = 0  # a width of outline drawn around the letters, in their ink


@dataclass(frozen=True)
class Layout:
    """Everything a card draws: lines of text, and solid boxes (the rule, the words' frames, the list's
    line) with their width of outline, 0 for a filled box."""

    texts: tuple[Text, ...]
    boxes: tuple[tuple[tuple[int, int, int, int], str, int], ...]  # box, ink, outline


def card_for(entry: Entry, settings: Settings, formats: Formats | None = None) -> Card:
    """What the entry's card says: its title, its date as the page shows it, the site's name, its words,
    and how its mark is drawn. `formats`: the site language's, with its catalogue's words (render.py
    passes the environment's); without them, the language's formats and English words."""
    formats = formats or formats_for(settings.language)
    title = drawable(entry.title)
    when = shown_when(entry, settings, formats)
    pairs = [(word, ink) for word, ink in card_words(entry, formats.gettext) if word]
    mark = ACCENT if entry.status else KEY if entry.key else MARKER
    return Card(title, when, drawable(settings.site_name), tuple(word for word, _ in pairs), address(settings.base_url),
                mark, hollow=bool(entry.status or entry.circa), large=entry.key, inks=tuple(ink for _, ink in pairs))


def shown_when(entry: Entry, settings: Settings, formats: Formats) -> str | None:
    """The entry's date as its page shows it, and in each of the other calendars, each part the font can draw."""
    label = drawable(entry.date_label) if entry.date_label else None
    approximate = drawable(formats.gettext("(approximate)")) if label and entry.circa else None
    when = f"{label} {approximate}" if approximate else label or drawable(shown_date(entry, formats))
    for calendar in settings.calendars:  # as the page shows them too, each that the font can draw
        other = other_date(entry.date, calendar, settings.language, entry.end_date)
        other = drawable(other) if other else None
        if other:
            when = f"{when} ({other})" if when else other
    return when


def card_words(entry: Entry, gettext) -> tuple[tuple[str | None, str], ...]:
    """The entry's draft, status and key-moment words as the site's language writes them (the badges'
    messages, templates/macros.html), each with its ink; None for a word the font cannot draw."""
    words = []
    if entry.draft:
        words.append((gettext("Draft"), DRAFT))
    if entry.status == "scheduled":
        words.append((gettext("Scheduled"), ACCENT))
    elif entry.status == "ongoing":
        words.append((gettext("Ongoing"), ACCENT))
    if entry.key:
        words.append((gettext("Key moment"), KEY))
    return tuple((drawable(word), ink) for word, ink in words)


def catalogue_words(formats: Formats) -> tuple[str, ...]:
    """Every word of the catalogue a card may draw, translated: what a cached card depends on besides its
    inputs (speed/pages.py)."""
    return tuple(formats.gettext(message) for message in
                 ("Draft", "Scheduled", "Ongoing", "Key moment", "(approximate)", "c. %(date)s", "%(time)s (%(offset)s)"))


def address(base_url: str) -> str:
    """The site's address as readers type it: example.org/timeline."""
    return base_url.split("://", 1)[-1].rstrip("/")


def shown_date(entry: Entry, formats: Formats) -> str:
    """The entry's date (or range) in words, in the site's language, as the `when` macro
    (templates/macros.html) shows it, before the other calendars."""
    if entry.end_date is not None:
        return "".join(formats.range(entry.date, entry.end_date, entry.circa))
    return formats.date(entry.date, entry.circa)


def drawable(text: str) -> str | None:
    """The text as the card draws it (composed, without invisible formatting characters, one space
    between words), or None when the font cannot draw it as written: a character it lacks, or a
    script written right to left."""
    text = "".join(c for c in unicodedata.normalize("NFC", text) if unicodedata.category(c) != "Cf")
    covered = _covered()
    if any(ord(c) not in covered or unicodedata.bidirectional(c) in _RIGHT_TO_LEFT for c in text):
        return None
    return " ".join(word for word in text.split(" ") if word) or None


@functools.cache
def _covered() -> frozenset[int]:
    """The characters the bundled font has a glyph for."""
    from fontTools.ttLib import TTFont

    with TTFont(FONT, lazy=True) as font:
        return frozenset(font.getBestCmap())


def draw_card(entry: Entry, settings: Settings, formats: Formats | None = None) -> bytes:
    """The entry's card as PNG bytes (`formats`: as card_for)."""
    return png(layout(card_for(entry, settings, formats)))


# ---------------------------------------------------------------- layout

def layout(card: Card) -> Layout:
    """Where everything goes: the site's name over a rule; the words and the date beside the entry's
    mark on the list's line; the title (the date in its place when the title is left off); the address."""
    texts, boxes = [], []
    if card.site_name:
        texts.append(_fitted(card.site_name, (NAME_SIZE,), WIDTH - 2 * MARGIN, MARGIN, NAME_BASELINE, TEXT))
    boxes.append(((MARGIN, RULE_Y, WIDTH - MARGIN, RULE_Y + 1), LINE, 0))
    mark = _mark(card)
    texts.append(mark)
    left, right = LINE_X - LINE_WIDTH // 2, LINE_X + LINE_WIDTH // 2 - 1
    boxes += [((left, RULE_Y + 12, right, max(RULE_Y + 12, mark.box[1] - 6)), LINE, 0),  # the line, broken by the mark
              ((left, mark.box[3] + 6, right, HEIGHT - SAFE), LINE, 0)]
    x = MARGIN
    for word, ink in zip(card.words, card.inks):
        text = _placed(word.upper(), _font(WORD_SIZE), x + WORD_PADDING, WHEN_BASELINE - 5, ink)
        frame = (x, text.box[1] - WORD_PADDING, text.box[2] + WORD_PADDING, WHEN_BASELINE - 5 + WORD_PADDING)
        texts.append(text)
        boxes.append((frame, ink, 2))
        x = frame[2] + WORD_GAP
    if card.title and card.when:
        texts.append(_fitted(card.when, WHEN_SIZES, WIDTH - MARGIN - x, x, WHEN_BASELINE, MUTED))
    if card.title or card.when:
        texts += _title(card.title or card.when)
    texts.append(_fitted(card.address, (ADDRESS_SIZE,), WIDTH - 2 * MARGIN, MARGIN, ADDRESS_BASELINE, MUTED))
    return Layout(tuple(texts), tuple(boxes))


def _mark(card: Card) -> Text:
    """The entry's mark, centred on the list's line at the height of the date's letters."""
    font = _font(KEY_DOT_SIZE if card.large else DOT_SIZE)
    glyph, stroke = (HOLLOW, RING) if card.hollow else (DOT, 0)
    left, top, right, bottom = font.getbbox(glyph, anchor="ls", stroke_width=stroke)
    middle = WHEN_BASELINE + _font(WHEN_SIZES[0]).getbbox("0", anchor="ls")[1] // 2
    return _placed(glyph, font, LINE_X - (left + right) // 2, middle - (top + bottom) // 2, card.mark, stroke)


@functools.cache
def _font(size: int):
    from PIL import ImageFont

    return ImageFont.truetype(str(FONT), size, layout_engine=ImageFont.Layout.BASIC)


def _placed(text: str, font, x: int, baseline: int, ink: str, stroke: int = 0) -> Text:
    left, top, right, bottom = font.getbbox(text, anchor="ls", stroke_width=stroke)
    return Text(text, font.size, x, baseline, ink, (x + left, baseline + top, x + right, baseline + bottom), stroke)


def _fitted(text: str, sizes: tuple[int, ...], width: int, x: int, baseline: int, ink: str) -> Text:
    """One line at the largest of `sizes` at which it fits `width`; cut with an ellipsis at the smallest."""
    for size in sizes:
        font = _font(size)
        if font.getlength(text) <= width:
            return _placed(text, font, x, baseline, ink)
    return _placed(_cut(text, font, width), font, x, baseline, ink)


def _title(text: str) -> list[Text]:
    """The title in lines, at the largest of TITLE_SIZES at which it fits the title's space whole;
    at the smallest, its last line is cut with an ellipsis."""
    width = WIDTH - 2 * MARGIN
    for size in TITLE_SIZES:
        font = _font(size)
        ascent, descent = font.getmetrics()
        step = round(size * LEADING)
        most = max(1, (TITLE_BOTTOM - TITLE_TOP - ascent - descent) // step + 1)
        lines = wrapped(text, font, width)
        if len(lines) <= most:
            break
    if len(lines) > most:
        lines = lines[:most - 1] + [_cut(" ".join(lines[most - 1:]), font, width)]
    first = TITLE_TOP + ascent
    return [_placed(line, font, MARGIN, first + number * step, TEXT) for number, line in enumerate(lines)]


def wrapped(text: str, font, width: float) -> list[str]:
    """The text in lines no wider than `width`, broken between words, and within a word too long for a line."""
    lines, line = [], ""
    for word in text.split(" "):
        joined = f"{line} {word}" if line else word
        if font.getlength(joined) <= width:
            line = joined
            continue
        if line:
            lines.append(line)
        while font.getlength(word) > width:
            cut = _longest_prefix(word, font, width)
            lines.append(word[:cut])
            word = word[cut:]
        line = word
    if line:
        lines.append(line)
    return lines


def _longest_prefix(word: str, font, width: float) -> int:
    """How many characters of `word` fit `width` (at least one, so that wrapping always ends)."""
    low, high = 1, len(word)
    while low < high:
        middle = (low + high + 1) // 2
        if font.getlength(word[:middle]) <= width:
            low = middle
        else:
            high = middle - 1
    return low


def _cut(text: str, font, width: float) -> str:
    """The text cut to fit `width` with an ellipsis, at a space where one is near."""
    kept = text[:_longest_prefix(text, font, width - font.getlength(ELLIPSIS))]
    space = kept.rfind(" ")
    if space > len(kept) * 2 // 3:
        kept = kept[:space]
    return kept.rstrip(" ,;:.\u2013\u2014-") + ELLIPSIS


# ---------------------------------------------------------------- drawing

# The inks drawn at LEVELS levels of coverage (the edges of letters), after the background; then the
# lines' ink, drawn solid.
_INKS = (TEXT, MUTED, MARKER, KEY, ACCENT, DRAFT)
_SOLID = {LINE: 1 + len(_INKS) * LEVELS, **{ink: (number + 1) * LEVELS for number, ink in enumerate(_INKS)}}


def png(drawn: Layout) -> bytes:
    """The layout drawn in the card's palette and written as PNG.

    Drawn as palette indices: the shapes in their inks' indices, then each ink's text as its coverage
    (0 to 255) mapped to that ink's levels, where nothing else is drawn (the layout overlaps nothing),
    so every pixel is exactly one of the palette's colours."""
    from PIL import Image, ImageChops, ImageDraw

    indices = Image.new("L", (WIDTH, HEIGHT), 0)
    draw = ImageDraw.Draw(indices)
    for box, ink, outline in drawn.boxes:
        if outline:
            draw.rectangle(box, outline=_SOLID[ink], width=outline)
        else:
            draw.rectangle(box, fill=_SOLID[ink])
    by_ink: dict[str, list[Text]] = {}
    for text in drawn.texts:
        by_ink.setdefault(text.ink, []).append(text)
    for ink, texts in by_ink.items():
        region = (max(0, min(t.box[0] for t in texts) - 2), max(0, min(t.box[1] for t in texts) - 2),
                  min(WIDTH, max(t.box[2] for t in texts) + 2), min(HEIGHT, max(t.box[3] for t in texts) + 2))
        coverage = Image.new("L", (region[2] - region[0], region[3] - region[1]), 0)
        pen = ImageDraw.Draw(coverage)
        for text in texts:
            pen.text((text.x - region[0], text.baseline - region[1]), text.text, font=_font(text.size), fill=255,
                     anchor="ls", stroke_width=text.stroke, stroke_fill=255)
        indices.paste(ImageChops.lighter(indices.crop(region), coverage.point(_levels(ink))), region)
    indices.putpalette(_palette())
    stream = io.BytesIO()
    indices.save(stream, "PNG", compress_level=COMPRESSION, optimize=False)
    return stream.getvalue()


@functools.cache
def _levels(ink: str) -> tuple[int, ...]:
    """Coverage (0 to 255) to the palette index of `ink` at that level; none stays the background."""
    first = 1 + _INKS.index(ink) * LEVELS
    return (0, *(first + max(0, -(-coverage * LEVELS // 255) - 1) for coverage in range(1, 256)))


@functools.cache
def _palette() -> bytes:
    """The background, each ink at LEVELS levels over it, and the lines' ink."""
    colours = [BACKGROUND] + [_blend(ink, level / LEVELS) for ink in _INKS for level in range(1, LEVELS + 1)]
    colours.append(LINE)
    return b"".join(bytes(_rgb(colour)) for colour in colours)
