"""Attachment uploads: the type is sniffed and the file parsed, sizes and counts are limited, names are random."""

import hashlib
import os
import unicodedata

import magic
from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _g

from ..models import Application, Attachment
from ..permissions import can
from .applications import ServiceError, require
from .audit import log_event
from .upload_checks import check_content, scan

ALLOWED_TYPES = {
    "application/pdf": {".pdf"},
    "image/jpeg": {".jpg", ".jpeg"},
    "image/png": {".png"},
}
TYPE_NAMES = {"application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG"}
MAX_ATTACHMENTS = 10  # per application, all kinds together
SNIFF_BYTES = 8192


def max_bytes() -> int:
    return settings.ATTACHMENT_MAX_BYTES


def clean_name(name) -> str:
    """The name as shown and offered on download: no path, no control characters, at most 200 characters."""
    base = os.path.basename((name or "").replace("\\", "/"))
    base = "".join(c for c in base if unicodedata.category(c)[0] != "C").strip()
    if len(base) > 200:
        stem, ext = os.path.splitext(base)
        base = stem[: 200 - len(ext)] + ext
    return base or "file"


def sniff(uploaded) -> str:
    uploaded.seek(0)
    head = uploaded.read(SNIFF_BYTES)
    uploaded.seek(0)
    return magic.from_buffer(head, mime=True) if head else "application/x-empty"


def check_file(uploaded) -> str:
    """The sniffed content type, or ServiceError with a message the applicant can act on."""
    if uploaded.size > max_bytes():
        raise ServiceError(_g("The file is %(size)s; at most %(max)s is allowed.")
                           % {"size": filesizeformat(uploaded.size), "max": filesizeformat(max_bytes())},
                           code="too_large", field="file")
    if uploaded.size == 0:
        raise ServiceError(_g("The file is empty."), field="file")
    content_type = sniff(uploaded)
    if content_type not in ALLOWED_TYPES:
        raise ServiceError(_g("Only PDF, JPEG or PNG files are accepted; this file's content is not one of them."),
                           code="bad_type", field="file")
    ext = os.path.splitext(uploaded.name or "")[1].lower()
    if ext not in ALLOWED_TYPES[content_type]:
        raise ServiceError(
            _g("The file's content is %(real)s, but its name “%(name)s” says otherwise. Please upload the right "
               "file or correct its name.") % {"real": TYPE_NAMES[content_type], "name": clean_name(uploaded.name)},
            code="name_mismatch", field="file")
    # The first bytes only say what the file claims to be; parsing it says whether it is one, and a safe one.
    # The form and then the service check the same upload: it is parsed once.
    if getattr(uploaded, "_registry_parsed_as", None) != content_type:
        check_content(uploaded, content_type)
        scan(uploaded)
        uploaded._registry_parsed_as = content_type
    return content_type


def checked_with_digest(uploaded):
    """(content type, SHA-256 hex digest) of an upload that passed every check (check_file); the file is
    rewound for storing."""
    content_type = check_file(uploaded)
    digest = hashlib.sha256()
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    return content_type, digest.hexdigest()


def add_attachment(user, application, uploaded, kind=Attachment.Kind.OTHER):
    """Store an uploaded file for a draft (or an application returned for changes)."""
    if kind not in Attachment.Kind.values:
        raise ServiceError(_g("Unknown kind of attachment."), field="kind")
    content_type, sha256 = checked_with_digest(uploaded)
    with transaction.atomic():
        locked = Application.objects.select_for_update().select_related("organization").get(pk=application.pk)
        require(can(user, "application.edit", locked))
        if locked.attachments.filter(purged_at__isnull=True).count() >= MAX_ATTACHMENTS:
            raise ServiceError(_g("An application can have at most %(n)d attachments; delete one first.")
                               % {"n": MAX_ATTACHMENTS}, code="too_many", field="file")
        attachment = Attachment(application=locked, kind=kind, original_name=clean_name(uploaded.name),
                                content_type=content_type, size=uploaded.size, sha256=sha256,
                                uploaded_by=user)
        # upload_to gives the stored file a random name; the original name stays in the row.
        attachment.file.save("upload", uploaded, save=False)
        attachment.save()
        if kind == Attachment.Kind.RECOMMENDATION_LETTER:
            locked.recommendation_letter = attachment
            locked.save(update_fields=["recommendation_letter", "updated_at"])
        log_event("application.attachment_added", actor=user, application=locked,
                  data={"attachment": attachment.pk, "kind": kind, "sha256": attachment.sha256})
    return attachment


def store_evidence(objection, uploaded):
    """Keep one evidence file of an objection; call inside the objection's transaction, after check_file()."""
    from ..models import ObjectionEvidence

    content_type, sha256 = checked_with_digest(uploaded)
    evidence = ObjectionEvidence(objection=objection, original_name=clean_name(uploaded.name),
                                 content_type=content_type, size=uploaded.size, sha256=sha256)
    evidence.file.save("upload", uploaded, save=False)  # a random stored name; the original stays in the row
    evidence.save()
    return evidence


def delete_attachment(user, attachment):
    with transaction.atomic():
        locked = Application.objects.select_for_update().select_related("organization").get(
            pk=attachment.application_id)
        require(can(user, "application.edit", locked))
        attachment = Attachment.objects.get(pk=attachment.pk)
        name, stored = attachment.original_name, attachment.file.name if attachment.file else ""
        attachment.delete()
        log_event("application.attachment_removed", actor=user, application=locked,
                  data={"attachment": attachment.pk, "name": name})
        if stored:
            storage = Attachment._meta.get_field("file").storage
            transaction.on_commit(lambda: storage.delete(stored))


def can_download(user, attachment) -> bool:
    return bool(can(user, "application.view", attachment.application))


class SizeLimitUploadHandler(FileUploadHandler):
    """Stops storing a file once it passes the limit, so a 50 MB upload never reaches the disk.

    The parser then skips the rest of that file; the view reads `request.upload_too_large` to explain why.
    """

    def __init__(self, request=None):
        super().__init__(request)
        self.received = 0
        if request is not None:
            request.upload_too_large = False

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > max_bytes():
            if self.request is not None:
                self.request.upload_too_large = True
            raise SkipFile()
        return raw_data

    def file_complete(self, file_size):
        return None
