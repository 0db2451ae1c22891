"""Decision letters as PDF: Chinese text in the standard Adobe CJK font, so no font file or library is needed.

The font is STSong-Light with the UniGB-UCS2-H encoding (Adobe-GB1), one of the fonts every PDF reader
provides for Simplified Chinese; text is written as UCS-2 big-endian, so both Chinese and Latin letters show.
Lines are wrapped by width (a CJK character is one em, a Latin one half) and pages follow as needed.
"""

import unicodedata

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


def _hex(text: str) -> str:
    # UCS-2 covers the Basic Multilingual Plane; anything beyond it (rare in letters) becomes a question mark.
    return "".join(f"{ord(ch):04X}" if ord(ch) <= 0xFFFF else "003F" for ch in text)


def _page_stream(items) -> bytes:
    parts = ["BT"]
    y = PAGE_H - MARGIN
    for size, line in items:
        y -= LEADING if size == BODY_SIZE else LEADING + 8
        parts.append(f"/F1 {size} Tf 1 0 0 1 {MARGIN} {y} Tm <{_hex(line)}> Tj")
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
    # Objects: 1 catalog, 2 pages, 3 Type0 font, 4 CID font, 5 descriptor, then (page, content) pairs.
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"",  # the page tree, filled in once the page numbers are known
        b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H "
        b"/DescendantFonts [4 0 R] >>",
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light "
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> /FontDescriptor 5 0 R "
        b"/DW 1000 /W [1 95 500] >>",
        b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] "
        b"/ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>",
    ]
    kids = []
    for page in pages:
        stream = _page_stream(page)
        page_no, content_no = len(objects) + 1, len(objects) + 2
        kids.append(f"{page_no} 0 R")
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_W} {PAGE_H}] "
                       f"/Resources << /Font << /F1 3 0 R >> >> /Contents {content_no} 0 R >>".encode())
        objects.append(b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream")
    objects[1] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(kids)} >>".encode()
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, content in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + content + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)
