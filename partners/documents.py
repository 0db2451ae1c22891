"""The registry's formal documents as PDF, laid out by ReportLab with its built-in CJK font (no font file needed).

STSong-Light is one of the Adobe CJK fonts every PDF reader provides for Simplified Chinese; ReportLab writes it
with the UniGB-UCS2-H encoding, so Chinese and Latin text both show and can be extracted again.
"""

import io
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

FONT = "STSong-Light"
_registered = False


def _font():
    global _registered
    if not _registered:
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
        _registered = True
    return FONT


def _canvas(*args, **kwargs):
    # The canvas starts in the CJK font, so the document names one font (/F1), never an unused Helvetica.
    kwargs["initialFontName"] = _font()
    return Canvas(*args, **kwargs)


def _styles():
    font = _font()
    base = ParagraphStyle("body", fontName=font, fontSize=11, leading=17, wordWrap="CJK")
    return {
        "title": ParagraphStyle("title", parent=base, fontSize=17, leading=24, alignment=1, spaceAfter=4 * mm),
        "number": ParagraphStyle("number", parent=base, fontSize=10, alignment=1, spaceAfter=4 * mm),
        "heading": ParagraphStyle("heading", parent=base, fontSize=13, leading=19, spaceBefore=4 * mm,
                                  spaceAfter=2 * mm),
        "body": base,
        "cell": ParagraphStyle("cell", parent=base, fontSize=10, leading=14),
        "footer": ParagraphStyle("footer", parent=base, fontSize=10, alignment=2, spaceBefore=8 * mm),
    }


def text(value) -> str:
    """Markup-safe text for a paragraph, keeping line breaks; characters beyond the BMP become '?' (the CJK
    font's encoding is UCS-2)."""
    value = "".join(ch if ord(ch) <= 0xFFFF else "?" for ch in str(value if value is not None else ""))
    return escape(value).replace("\n", "<br/>")


@dataclass
class Document:
    """A document: a title, an optional document number, then sections of paragraphs and label/value tables."""

    title: str
    number: str = ""
    parts: list = field(default_factory=list)
    footer: str = ""

    def heading(self, value):
        self.parts.append(("heading", value))
        return self

    def paragraph(self, value):
        self.parts.append(("body", value))
        return self

    def rows(self, pairs):
        """A two-column table of (label, value) pairs."""
        self.parts.append(("rows", list(pairs)))
        return self

    def render(self) -> bytes:
        styles = _styles()
        out = io.BytesIO()
        doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=22 * mm, rightMargin=22 * mm, topMargin=20 * mm,
                                bottomMargin=20 * mm, title=self.title, author="", subject=self.number)
        story = [Paragraph(text(self.title), styles["title"])]
        if self.number:
            story.append(Paragraph(text(self.number), styles["number"]))
        for kind, value in self.parts:
            if kind == "rows":
                if not value:
                    continue
                table = Table([[Paragraph(text(label), styles["cell"]), Paragraph(text(v), styles["cell"])]
                               for label, v in value], colWidths=[45 * mm, None])
                table.setStyle(TableStyle([
                    ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                    ("BACKGROUND", (0, 0), (0, -1), colors.whitesmoke),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]))
                story += [table, Spacer(1, 2 * mm)]
            else:
                story.append(Paragraph(text(value), styles[kind]))
        if self.footer:
            story.append(Paragraph(text(self.footer), styles["footer"]))
        doc.build(story, canvasmaker=_canvas)
        return out.getvalue()


def simple_pdf(title: str, body: str, footer: str = "", number: str = "") -> bytes:
    """A one-section document: a title and paragraphs of text (letters)."""
    document = Document(title, number=number, footer=footer)
    for paragraph in (body or "").split("\n\n"):
        document.paragraph(paragraph)
    return document.render()
