"""A tiny one-page PDF writer, so demo attachments are real PDFs without another dependency."""

from ..pdf import assemble, stream


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def make_pdf(lines: list[str]) -> bytes:
    """A valid single-page PDF showing `lines` (ASCII) in Helvetica, with a correct cross-reference table."""
    text = "BT /F1 14 Tf 72 770 Td 18 TL " + " ".join(
        f"({_escape(line.encode('ascii', 'replace').decode('ascii'))}) '" for line in lines) + " ET"
    content = text.encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        stream(content),
    ]
    return assemble(objects)
