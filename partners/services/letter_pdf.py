"""Decision letters as PDF: Chinese text in the standard Adobe CJK font, so no font file or library is needed.

The font is STSong-Light with the UniGB-UCS2-H encoding (Adobe-GB1), one of the fonts every PDF reader
provides for Simplified Chinese; text is written as UCS-2 big-endian, so both Chinese and Latin letters show.
Lines are wrapped by width (a CJK character is one em, a Latin one half) and pages follow as needed.
"""

import unicodedata

from ..pdf import cjk_pdf, ucs2_hex

PAGE_W, PAGE_H, MARGIN = 595, 842, 72
BODY_SIZE, TITLE_SIZE, LEADING = 12, 16, 20


def _width(ch: str) -> float:
    return 1.0 if unicodedata.east_asian_width(ch) in ("W", "F", "A") else 0.5


def wrap(text: str, size: int, width: float = PAGE_W - 2 * MARGIN) -> list[str]:
    """Split a paragraph into lines no wider than `width` points at font size `size`."""
    limit = width / size
    lines = []
    for paragraph in (text or "").split("\n"):
        line, used = "", 0.0
        for ch in paragraph:
            w = _width(ch)
            if used + w > limit and line:
                lines.append(line)
                line, used = "", 0.0
            line += ch
            used += w
        lines.append(line)
    return lines


def _page_stream(items) -> bytes:
    parts = ["BT"]
    y = PAGE_H - MARGIN
    for size, line in items:
        y -= LEADING if size == BODY_SIZE else LEADING + 8
        parts.append(f"/F1 {size} Tf 1 0 0 1 {MARGIN} {y} Tm <{ucs2_hex(line)}> Tj")
    parts.append("ET")
    return "\n".join(parts).encode("ascii")


def letter_pdf(subject: str, body: str, footer: str = "") -> bytes:
    """A PDF of the letter: the subject as a title, then the body, wrapped and paginated."""
    items = [(TITLE_SIZE, line) for line in wrap(subject, TITLE_SIZE)] + [(BODY_SIZE, "")]
    items += [(BODY_SIZE, line) for line in wrap(body, BODY_SIZE)]
    if footer:
        items += [(BODY_SIZE, ""), *((BODY_SIZE, line) for line in wrap(footer, BODY_SIZE))]
    per_page = (PAGE_H - 2 * MARGIN) // LEADING - 1
    pages = [items[i:i + per_page] for i in range(0, len(items), per_page)] or [[]]
    return cjk_pdf([_page_stream(page) for page in pages])
