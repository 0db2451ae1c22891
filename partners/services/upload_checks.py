"""Uploads checked by parsing them: images decoded under a pixel limit, PDFs parsed and refused when broken,
encrypted or carrying active content (JavaScript, launch actions, embedded files, rich media, XFA forms)."""

import io
import logging
import warnings

from django.conf import settings
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _
from PIL import Image
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

from .applications import ServiceError

# Names that make a PDF do something when opened or clicked, and what to call them in the refusal.
JAVASCRIPT, LAUNCH, EMBEDDED = _("JavaScript"), _("a launch action"), _("an embedded file")
RICH_MEDIA, XFA = _("rich media"), _("an XFA form")
ACTIVE_NAMES = {
    "/JavaScript": JAVASCRIPT, "/JS": JAVASCRIPT,
    "/Launch": LAUNCH,
    "/EmbeddedFile": EMBEDDED, "/EmbeddedFiles": EMBEDDED, "/FileAttachment": EMBEDDED, "/GoToE": EMBEDDED,
    "/RichMedia": RICH_MEDIA, "/XFA": XFA,
}
MAX_PDF_OBJECTS = 200_000  # far beyond any scanned licence; a file past it is refused rather than walked for ever
EOF_WINDOW = 1024  # the end-of-file marker must be in the last kilobyte, as PDF readers look for it

# pypdf reports every repair it makes through logging; a refused upload is reported to the applicant instead.
logging.getLogger("pypdf").setLevel(logging.ERROR)


def max_pixels() -> int:
    return settings.ATTACHMENT_MAX_PIXELS


def _refuse(message, code):
    return ServiceError(message, code=code, field="file")


def check_image(uploaded, content_type):
    """Decode the whole image under the pixel limit; refuse a decompression bomb or a damaged file."""
    limit = max_pixels()
    too_big = _g("The image is too large: at most %(n)s million pixels are accepted. Please scale it down "
                 "and upload it again.") % {"n": f"{limit / 1_000_000:g}"}
    damaged = _g("The image could not be read: it is damaged or incomplete. Please export it again and "
                 "upload the new file.")
    uploaded.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(uploaded, formats=["PNG", "JPEG"]) as image:
                width, height = image.size
                if width * height > limit:
                    raise _refuse(too_big, "image_too_large")
                if Image.MIME.get(image.format) != content_type:
                    raise _refuse(damaged, "damaged")
                if image.format == "JPEG":
                    # Decoding at 1/8 scale still reads every byte of the entropy-coded data, so a truncated
                    # file is caught, with 64 times less memory.
                    image.draft(image.mode, (max(1, width // 8), max(1, height // 8)))
                image.load()
    except ServiceError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _refuse(too_big, "image_too_large") from None
    except Exception:  # any failure of the decoder on untrusted bytes is a damaged file
        raise _refuse(damaged, "damaged") from None
    finally:
        uploaded.seek(0)


def active_content(reader) -> set:
    """The kinds of active content anywhere in the PDF's object graph (names are decoded, so #-escapes don't hide)."""
    found, seen, stack, walked = set(), set(), [reader.trailer], 0
    while stack:
        obj = stack.pop()
        if isinstance(obj, IndirectObject):
            ref = (obj.idnum, obj.generation)
            if ref in seen:
                continue
            seen.add(ref)
            obj = obj.get_object()
        walked += 1
        if walked > MAX_PDF_OBJECTS:
            raise ValueError("too many objects")
        if isinstance(obj, DictionaryObject):  # streams too: their dictionaries say what they are
            for key, value in obj.items():
                if key in ACTIVE_NAMES:
                    found.add(ACTIVE_NAMES[key])
                if isinstance(value, NameObject) and value in ACTIVE_NAMES:
                    found.add(ACTIVE_NAMES[value])
                if isinstance(value, (DictionaryObject, ArrayObject, IndirectObject)):
                    stack.append(value)
        elif isinstance(obj, ArrayObject):
            for value in obj:
                if isinstance(value, NameObject) and value in ACTIVE_NAMES:
                    found.add(ACTIVE_NAMES[value])
                if isinstance(value, (DictionaryObject, ArrayObject, IndirectObject)):
                    stack.append(value)
    return found


def check_pdf(uploaded):
    """Parse the PDF and read every page; refuse a truncated, damaged, encrypted or active one."""
    damaged = _g("The PDF could not be read: it is damaged or incomplete. Please save or export it again and "
                 "upload the new file.")
    uploaded.seek(0)
    data = uploaded.read()
    uploaded.seek(0)
    if b"%%EOF" not in data[-EOF_WINDOW:]:
        raise _refuse(damaged, "damaged")
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise _refuse(_g("The PDF is protected by a password, so it can neither be checked nor read by the "
                             "reviewers. Please upload it without the password."), "encrypted")
        for page in reader.pages:
            contents = page.get_contents()
            if contents is not None:
                contents.get_data()
        found = active_content(reader)
    except ServiceError:
        raise
    except Exception:  # any failure of the parser on untrusted bytes is a damaged file
        raise _refuse(damaged, "damaged") from None
    if found:
        raise _refuse(_g("The PDF contains active content (%(kinds)s), which is not accepted. Please print it to "
                         "a new PDF (“Print” → “Save as PDF”) and upload that.")
                      % {"kinds": _g(", ").join(sorted(str(kind) for kind in found))}, "active_content")


def check_content(uploaded, content_type):
    """Parse the file as the type it was sniffed as; ServiceError with a message the applicant can act on."""
    if content_type == "application/pdf":
        check_pdf(uploaded)
    else:
        check_image(uploaded, content_type)


def scan(uploaded):
    """Hand the file to the virus scanner named by UPLOAD_SCANNER (a dotted path), if one is configured.

    The scanner is called with the uploaded file and returns None when the file is clean, or the name of
    what it found; a scanner that fails refuses the file rather than letting it through unscanned.
    """
    path = getattr(settings, "UPLOAD_SCANNER", "")
    if not path:
        return
    from django.utils.module_loading import import_string

    uploaded.seek(0)
    try:
        found = import_string(path)(uploaded)
    except Exception:  # noqa: BLE001 - an unavailable scanner must not wave files through
        logging.getLogger(__name__).exception("The upload scanner failed")
        raise _refuse(_g("The file could not be checked for viruses just now. Please try again later."),
                      "scan_failed") from None
    finally:
        uploaded.seek(0)
    if found:
        raise _refuse(_g("The virus scanner refused this file (%(found)s).") % {"found": found}, "infected")
