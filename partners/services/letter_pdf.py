"""Decision letters as PDF, laid out by ReportLab (partners/documents.py) in the built-in CJK font STSong-Light.

`wrap` says how a paragraph breaks at a width (a CJK character is one em, a Latin one half); ReportLab breaks the
lines of the PDF itself and continues on further pages as needed.
"""

import unicodedata

from ..documents import simple_pdf

PAGE_W, MARGIN = 595, 72


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


def letter_pdf(subject: str, body: str, footer: str = "") -> bytes:
    """A PDF of the letter: the subject as a title, then the body, wrapped and paginated."""
    return simple_pdf(subject, body, footer=footer)
