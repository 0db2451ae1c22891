"""A minimal PDF writer for the demo data's and the tests' sample files (scanned licences and the like).

The registry's own documents (letters, receipts, the 申报书, the 公示 notice) are laid out by ReportLab in
partners/documents.py; this writer stays for the small sample PDFs, whose exact bytes the upload checks parse.
Chinese text uses Adobe's predefined font STSong-Light with the UniGB-UCS2-H encoding (Adobe-GB1), which every PDF reader provides for Simplified Chinese, so no font file is
embedded; text is written as UCS-2 big-endian, so Chinese and Latin letters both show.
"""

HEADER = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"
A4 = (595, 842)  # points


def assemble(objects: list[bytes]) -> bytes:
    """A PDF file of `objects` (object 1 is the catalog), with a correct cross-reference table."""
    out = bytearray(HEADER)
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def stream(content: bytes) -> bytes:
    return b"<< /Length " + str(len(content)).encode() + b" >>\nstream\n" + content + b"\nendstream"


def ucs2_hex(text: str) -> str:
    """Text for the CJK font: UCS-2 big-endian; characters beyond the Basic Multilingual Plane (none in names on
    a licence, rare in letters) become a question mark."""
    return "".join(f"{ord(ch):04X}" if ord(ch) <= 0xFFFF else "003F" for ch in text)


def cjk_pdf(pages: list[bytes], size=A4) -> bytes:
    """A PDF whose pages show the content streams `pages`, each drawing text with font /F1 (STSong-Light)."""
    width, height = size
    # Objects: 1 catalog, 2 page tree, 3 Type0 font, 4 CID font, 5 descriptor, then (page, content) pairs.
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
    for content in pages or [b""]:
        page_no, content_no = len(objects) + 1, len(objects) + 2
        kids.append(f"{page_no} 0 R")
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {width} {height}] "
                       f"/Resources << /Font << /F1 3 0 R >> >> /Contents {content_no} 0 R >>".encode())
        objects.append(stream(content))
    objects[1] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(kids)} >>".encode()
    return assemble(objects)
