"""Helpers of the portal tests: posting each step of the application form as a browser would."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from tests.factories import TINY_PDF


def _image(fmt) -> bytes:
    """A real 2 × 2 image: uploads are decoded, so a header followed by nothing is refused."""
    out = io.BytesIO()
    Image.new("RGB", (2, 2), (200, 30, 30)).save(out, fmt)
    return out.getvalue()


PNG, JPEG = _image("PNG"), _image("JPEG")


def step_url(application, step):
    return reverse("portal:step", args=[application.pk, step])


def org_data(org, **overrides):
    data = {
        "org-name": org.name, "org-name_en": org.name_en, "org-org_type": org.org_type,
        "org-legal_representative": org.legal_representative,
        "org-registered_capital": str(org.registered_capital or ""), "org-capital_currency": org.capital_currency,
        "org-founded_on": "", "org-registered_address": org.registered_address,
        "org-district": org.district_id or "", "org-province": org.province, "org-scale": "",
        "org-ownership": "", "org-high_tech_certificate": "", "org-specialized_level": "", "org-website": "",
        "org-description": org.description,
        "contact-contact_name": "王芳", "contact-contact_title": "总监", "contact-contact_phone": "13912345678",
        "contact-contact_email": "wangfang@example.com",
    }
    data.update(overrides)
    return data


def scenario_management(total=1, initial=0):
    return {"scenarios-TOTAL_FORMS": str(total), "scenarios-INITIAL_FORMS": str(initial),
            "scenarios-MIN_NUM_FORMS": "0", "scenarios-MAX_NUM_FORMS": "10"}


def pdf(name="licence.pdf", content=TINY_PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def fill_everything(client, application, types=("data",)):
    """Walk steps 1 to 5 through the web, as an applicant would; returns the last response."""
    org = application.organization
    r = client.post(step_url(application, "organization"), {**org_data(org), "next": ""})
    assert r.status_code == 302, r.content.decode()[:2000]
    r = client.post(step_url(application, "types"), {"partner_types": list(types), "next": ""})
    assert r.status_code == 302, r.content.decode()[:2000]
    profiles = {"next": ""}
    for t in types:
        profiles[f"{t}-summary"] = f"我们作为{t}伙伴提供服务。"
    if "application" in types:
        profiles.update(scenario_management())
        profiles.update({"scenarios-0-title": "智慧园区巡检", "scenarios-0-description": "开放园区巡检场景与视频数据。",
                         "scenarios-0-budget_min_10k": "50", "scenarios-0-budget_max_10k": "200"})
    r = client.post(step_url(application, "profiles"), profiles)
    assert r.status_code == 302, r.content.decode()[:3000]
    r = client.post(step_url(application, "channel"), {"channel": "self", "next": ""})
    assert r.status_code == 302, r.content.decode()[:2000]
    r = client.post(step_url(application, "attachments"), {"kind": "licence", "file": pdf()})
    assert r.status_code == 302, r.content.decode()[:2000]
    return r


def submit(client, application, expected_state="draft"):
    return client.post(step_url(application, "review"),
                       {"declaration": "on", "expected_state": expected_state, "submit": ""})
