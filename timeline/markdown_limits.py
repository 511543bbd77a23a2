"""Limits on Markdown bodies, which bound the time and the depth of their conversion.

Python-Markdown takes time quadratic in some counts (every unclosed "[" scans to the end of its
paragraph, every sibling element looks itself up among all its siblings, ...) and recurses once per
level of nesting. These limits, far above anything a news timeline writes, bound each of those
counts, so that every body check accepts converts in time proportional to its length and without
exhausting the stack; benchmarks/markdown_worst.py shows the costs with and without them. This
module leaves markdown itself unimported: check runs it on every entry and never converts one.
"""
from __future__ import annotations

import bisect
import re

# markdown.util's placeholders, which markdown removes from the text before anything else.
STX, ETX = "\x02", "\x03"

MAX_BODY = 200_000  # characters: some 30,000 words, fifty times the length check warns about
MAX_LINES = 5_000  # a body of MAX_BODY characters wrapped at 80 has about 3,000 with its blank lines
MAX_BLOCK = 10_000  # characters between blank lines: a paragraph, list or table; news paragraphs stay under 2,000
MAX_OPEN = 10  # "[" and link "(" open at once in a block; real text has 1 or 2 (an image inside a link)
MAX_BACKTICKS = 50  # in a block: 25 pieces of `code`
MAX_NESTING = 16  # levels of lists, quotes and definitions; real bodies use 3 or 4
MAX_FOOTNOTES = 200  # references and definitions together
MAX_ABBREVIATIONS = 100  # definitions *[ABBR]: ...

# Bodies shorter than this hold fewer lines than MAX_LINES and no block longer than MAX_BLOCK.
_SHORT = min(MAX_LINES, MAX_BLOCK)
# A marker that opens a container block: a list item, a quote, a definition, a footnote definition.
# A footnote's label may run over lines, as markdown's pattern for definitions allows.
_MARKER = r"(?:[-*+](?=[ \n])|\d+\.(?=[ \n])|>|:(?=[ ])|\[\^[^\]]*\]:)"
# Where nesting deeper than one level can start: two markers at the start of a line, four spaces
# before its text, a definition (which takes in the lines after it). Without any, each line opens
# at most one container.
_NESTING_HINT = rf"[ ]*{_MARKER}[ ]*{_MARKER}|[ ]*{_MARKER}?[ ]{{4}}|[ ]{{0,3}}:[ ]"
# The lookahead turns most lines down at their first character.
_NESTING_AFTER_BREAK = re.compile(rf"\n(?=[ \-*+>:\d\[])(?:{_NESTING_HINT})")
_NESTING_AT_START = re.compile(_NESTING_HINT)
_LINE_STARTS = " -*+>:0123456789["  # the characters a hint can start with
_PREFIX_PART = re.compile(rf"([ ]*)({_MARKER})")
_SPACES = re.compile(r"[ ]*")
_BLOCK = re.compile(r"(?:[ ]*[^ \n][^\n]*\n)+")  # lines that are not blank, as the parser splits
_ABBREVIATION = re.compile(r"^[ ]*\*\[", re.M)
# The characters that end or extend the scans of links: markdown's escape pattern takes a backslash
# and the next character together, and hides these characters when escaped.
_LINK_TOKEN = re.compile(r"\\.|[\[\]()'\"]", re.S)
_TITLE_END = re.compile(r"(['\"])[ ]*\)")


def parser_input(text: str) -> str:
    """The body as the block parser sees it (markdown's NormalizeWhitespace), less the clearing of
    lines of spaces: that can only hide markup's triggers, never make one, and _BLOCK counts such
    lines as blank."""
    text = text.replace(STX, "").replace(ETX, "").replace("\r\n", "\n").replace("\r", "\n") + "\n"
    return text.expandtabs(4) if "\t" in text else text


def body_problem(text: str) -> tuple[int, str] | None:
    """The first limit the body breaks, as (its line in the body, what is wrong and what to do), or None.

    Most bodies are shown to be within every limit by a few searches over the text.
    """
    if (len(text) <= _SHORT and "\t" not in text and "\r" not in text
            and ("[" not in text or _few(text, "[", MAX_OPEN // 2))
            and ("`" not in text or _few(text, "`", MAX_BACKTICKS))
            and not _NESTING_AFTER_BREAK.search(text)
            and (text[:1] not in _LINE_STARTS or not _NESTING_AT_START.match(text))):
        return None
    return _first_problem(parser_input(text))


def _few(text: str, character: str, most: int) -> bool:
    """Whether text holds at most `most` of the character, counting between its first and last only."""
    return text.count(character, text.find(character), text.rfind(character) + 1) <= most


def _first_problem(text: str) -> tuple[int, str] | None:
    """body_problem's checks on the text as the parser sees it (see parser_input)."""
    lines = text.count("\n", 0, len(text.rstrip("\n")) + 1)
    if lines > MAX_LINES:
        return MAX_LINES + 1, (f"the body has {lines:,} lines; at most {MAX_LINES:,} are allowed: "
                               "shorten it, or split the entry")
    found = _too_many_footnotes(text) or _too_many_abbreviations(text)
    if found:
        return found
    for block in _BLOCK.finditer(text):
        found = _block_problem(text, block.start(), block.end())
        if found:
            return found
    return None


def _line(text: str, position: int) -> int:
    return text.count("\n", 0, position) + 1


def _nth(text: str, needle: str, count: int, start: int = 0) -> int:
    """Where the count-th occurrence of needle is (callers know there are that many)."""
    position = start - 1
    for _ in range(count):
        position = text.find(needle, position + 1)
    return position


def _too_many_footnotes(text: str) -> tuple[int, str] | None:
    count = text.count("[^")
    if count <= MAX_FOOTNOTES:
        return None
    return _line(text, _nth(text, "[^", MAX_FOOTNOTES + 1)), (
        f"the body has {count:,} footnote references and definitions ([^...]), this one past the "
        f"{MAX_FOOTNOTES} allowed: keep the notes that matter, or write \\[^ where no footnote is meant")


def _too_many_abbreviations(text: str) -> tuple[int, str] | None:
    starts = [match.start() for match in _ABBREVIATION.finditer(text)]
    if len(starts) <= MAX_ABBREVIATIONS:
        return None
    return _line(text, starts[MAX_ABBREVIATIONS]), (
        f"the body has {len(starts):,} lines starting with *[, which define abbreviations, this one "
        f"past the {MAX_ABBREVIATIONS} allowed: remove some, or write \\*[ where no abbreviation is meant")


def _block_problem(text: str, start: int, end: int) -> tuple[int, str] | None:
    """The first limit broken by the block of lines from start to end (which ends a line)."""
    if end - start - 1 > MAX_BLOCK:
        return _line(text, start), (
            f"{end - start - 1:,} characters follow without a blank line; a paragraph, list or table "
            f"may have at most {MAX_BLOCK:,}: split it with blank lines")
    backticks = text.count("`", start, end)
    if backticks > MAX_BACKTICKS:
        return _line(text, _nth(text, "`", MAX_BACKTICKS + 1, start)), (
            f"the paragraph, list or table around this line has {backticks} backticks, past the "
            f"{MAX_BACKTICKS} allowed: split it with blank lines, or write \\` where no code is meant")
    if _NESTING_AT_START.match(text, start, end) or _NESTING_AFTER_BREAK.search(text, start, end):
        deepest = _too_deep(text, start, end)
        if deepest is not None:
            return _line(text, deepest), (
                f"lists, quotes and definitions are nested more than {MAX_NESTING} levels deep (a "
                "definition takes in the lines after it up to a blank line): indent less, start fewer "
                "on one line, or put blank lines between definitions")
    if text.count("[", start, end) > MAX_OPEN // 2:
        crowded = _crowded_scan(text, start, end)
        if crowded is not None:
            return _line(text, crowded), (
                f"more than {MAX_OPEN} [ and link ( are open at once: close each [ with ] and each ( "
                "of a link with ) in the same paragraph, or write \\[ and \\( where no link is meant")
    return None


def _too_deep(text: str, start: int, end: int) -> int | None:
    """The start of the first line nested more than MAX_NESTING deep, if any.

    A line is as deep as the containers it opens (see _line_depth) plus the depth of the last
    definition above it in the block: a definition followed by a line that is not indented takes
    in the rest of the block, definitions included.
    """
    definitions = 0
    position = start
    while position < end:
        opened, definition, text_start = _line_depth(text, position, end)
        if definitions + opened > MAX_NESTING:
            return position
        if definition:
            definitions += opened
        line_end = text.find("\n", text_start, end)
        position = end if line_end < 0 else line_end + 1
    return None


def _line_depth(text: str, position: int, end: int) -> tuple[int, bool, int]:
    """The containers the line at `position` opens, whether one is a definition, and where its text starts.

    One for each marker, and one for each four spaces in a row before a marker or the text, but
    for those right after a list item's marker, which markdown takes with the marker.
    """
    opened, definition, after_item = 0, False, False
    while part := _PREFIX_PART.match(text, position, end):
        spaces, marker = part.groups()
        opened += 1 + (0 if after_item else len(spaces) // 4)
        definition = definition or marker == ":"
        after_item = marker[0] in "-*+0123456789"
        position = part.end()
    spaces = _SPACES.match(text, position, end).end() - position
    return opened + (0 if after_item else spaces // 4), definition, position + spaces


def _crowded_scan(text: str, start: int, end: int) -> int | None:
    """Where more than MAX_OPEN of markdown's link scans overlap in the block, if anywhere.

    For each "[", markdown reads on to its matching "]", and after a "](" to the link's matching
    ")"; a scan that finds no end reads to the end of the paragraph. Their total length, the time
    links take, is then at most MAX_OPEN times the block's. Everything that could make a scan
    longer counts: a "]" or ")" between backticks may be code, so it closes nothing, and a quote
    in a link's parentheses starts a title, which only ends at a quote followed by ")".
    """
    code_start, code_end = text.find("`", start, end), text.rfind("`", start, end)
    scans, brackets, parens, links, quotes = [], [], [], [], []
    closes: dict[int, int] = {}
    linked = -1  # the last "[" given a link: markdown reads on from one "]" only
    for token in _LINK_TOKEN.finditer(text, start, end):
        char, position = token.group(), token.start()
        maybe_code = code_start <= position <= code_end
        if char == "[":
            brackets.append(position)
        elif char == "]" and brackets:
            if text.startswith("(", position + 1) and linked != brackets[-1]:
                links.append(position + 1)
                linked = brackets[-1]
            if not maybe_code:
                scans.append((brackets.pop(), position))
        elif char == "(":
            parens.append(position)
        elif char == ")" and parens and not maybe_code:
            closes[parens.pop()] = position
        elif char in "'\"":
            quotes.append(position)
    scans += [(position, end) for position in brackets]
    titles = _title_ends(text, quotes, end)
    for link in links:
        finish = _link_end(text, link, closes.get(link), quotes, titles, end)
        if code_start >= 0 and link < code_end and finish > code_start:
            finish = end
        scans.append((link, finish))
    return _most_overlapping(scans)


def _title_ends(text: str, quotes: list[int], end: int) -> dict[str, tuple[list[int], list[int]]]:
    """For each quote character, the quotes followed by spaces and ")", and where that ")" is."""
    visible = set(quotes)
    ends: dict[str, tuple[list[int], list[int]]] = {"'": ([], []), '"': ([], [])}
    for match in _TITLE_END.finditer(text, quotes[0] if quotes else end, end):
        if match.start() in visible:
            at, closing = ends[match.group(1)]
            at.append(match.start())
            closing.append(match.end() - 1)
    return ends


def _link_end(text: str, link: int, close: int | None, quotes: list[int], titles, end: int) -> int:
    """Where markdown stops reading the parentheses of a link that open at `link` (see getLink)."""
    first = bisect.bisect_right(quotes, link)
    quote = quotes[first] if first < len(quotes) else None
    if close is not None and (quote is None or close < quote):
        return close
    if quote is None:
        return end
    at, closing = titles[text[quote]]
    after = bisect.bisect_right(at, quote)
    return closing[after] if after < len(at) else end


def _most_overlapping(scans: list[tuple[int, int]]) -> int | None:
    """The start of the first scan that more than MAX_OPEN others overlap."""
    events = sorted([(first, 1) for first, _ in scans] + [(last, -1) for _, last in scans])
    open_now = 0
    for position, change in events:
        open_now += change
        if open_now > MAX_OPEN:
            return position
    return None

