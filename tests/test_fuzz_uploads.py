"""Property-based run on upload sniffing: whatever bytes and name arrive, the answer is an accepted file
whose content really is PDF, JPEG or PNG with a matching name, or a clear refusal; never a crash."""

import os

import magic
import pytest
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from partners.services import uploads
from partners.services.applications import ServiceError
from tests.factories import TINY_PDF

MAGIC_PREFIXES = [b"", TINY_PDF[:16], b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", b"<html>",
                  b"<?xml version='1.0'?><svg xmlns='http://www.w3.org/2000/svg'>", b"MZ", b"PK\x03\x04",
                  b"#!/bin/sh\n", b"GIF89a"]
NAMES = st.one_of(
    st.sampled_from(["a.pdf", "a.PDF", "b.png", "c.jpg", "d.jpeg", "e.svg", "f.html", "g.exe", "noext",
                     ".pdf", "x.pdf.exe", "x.exe.pdf", "../../x.pdf", "C:\\x\\y.png"]),
    st.text(min_size=0, max_size=60),
)


@given(prefix=st.sampled_from(MAGIC_PREFIXES), tail=st.binary(max_size=2048), name=NAMES)
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_check_file_accepts_only_real_allowed_content_under_a_matching_name(prefix, tail, name):
    content = prefix + tail
    try:
        uploaded = SimpleUploadedFile(name or "x", content)
    except SuspiciousFileOperation:
        assume(False)  # Django's upload parser never builds a file from such a name
    try:
        content_type = uploads.check_file(uploaded)
    except ServiceError as exc:
        assert exc.message and exc.field == "file"
        return
    assert content_type in uploads.ALLOWED_TYPES
    assert magic.from_buffer(content[: uploads.SNIFF_BYTES], mime=True) == content_type
    assert os.path.splitext(uploaded.name)[1].lower() in uploads.ALLOWED_TYPES[content_type]
    assert 0 < len(content) <= uploads.max_bytes()


@given(name=st.text(max_size=400))
@settings(max_examples=300, deadline=None)
def test_clean_name_never_yields_a_path_or_control_characters(name):
    cleaned = uploads.clean_name(name)
    assert cleaned and len(cleaned) <= 200
    assert "/" not in cleaned and "\\" not in cleaned
    assert all(ord(c) >= 32 and c != "\x7f" for c in cleaned)


@pytest.mark.parametrize("size_over", [1, 4096])
def test_size_limit_holds_for_any_content(size_over, settings):
    settings.ATTACHMENT_MAX_BYTES = 2048
    with pytest.raises(ServiceError) as error:
        uploads.check_file(SimpleUploadedFile("a.pdf", TINY_PDF + b"0" * (2048 + size_over)))
    assert error.value.code == "too_large"
