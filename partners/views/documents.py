"""The formal PDFs of an application: the receipt (受理回执), the full application (申报书) and the 公示 notice.

Formal documents are written in Chinese whatever the reader's language, as the office files them.
"""

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _g

from ..documents import Document

PLAN = "北京市通用人工智能产业创新伙伴计划"


def _when(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def receipt_pdf(application) -> bytes:
    with translation.override("zh-hans"):
        document = Document(f"{PLAN} {_g('Receipt of your application')}",
                            number=_g("Receipt number: %(n)s") % {"n": application.receipt_number})
        document.rows([
            (_g("Organisation"), application.organization.name),
            (_g("Credit code"), application.organization.credit_code),
            (_g("Partner types"), application.get_partner_types_display()),
            (_g("Call"), str(application.call or "")),
            (_g("Submitted at (Beijing time)"), _when(application.submitted_at)),
            (_g("Contact person"), application.contact_name),
        ])
        document.paragraph(_g("The plan office received this application. Please quote the receipt number when "
                              "you write to the plan office."))
        document.footer = f"{settings.PLAN_OFFICE_CONTACT}\n{_when(timezone.now())}"
        return document.render()


def application_pdf(application) -> bytes:
    """申报书: every field the applicant gave and the list of attachments (never staff notes)."""
    from .portal_wizard import review_data

    with translation.override("zh-hans"):
        data = review_data(application)
        document = Document(f"{PLAN} {_g('Application form')}", number=application.receipt_number or "")
        document.heading(_g("Organisation")).rows(data["org_rows"])
        document.heading(_g("Contact person")).rows(data["contact_rows"])
        for profile in data["profiles"]:
            document.heading(str(profile["label"])).rows(profile["rows"])
            for scenario in profile["scenarios"] or []:
                document.rows([(_g("Scenario"), scenario.title), (_g("Description"), scenario.description)])
        document.heading(_g("Channel")).rows(data["channel_rows"])
        document.heading(_g("Attachments")).rows(
            [(a.get_kind_display(), f"{a.original_name} · SHA-256 {a.sha256[:16]}…") for a in data["attachments"]]
            or [(_g("Attachments"), _g("None"))])
        document.footer = _when(application.submitted_at)
        return document.render()


def notice_number(application) -> str:
    """The 公示 notice's number follows the receipt number (one notice per application, unique with it)."""
    return (application.receipt_number or f"BJAI-SQ-{application.pk:06d}").replace("-SQ-", "-GS-", 1)


def notice_pdf(application, starts_at, ends_at) -> bytes:
    """The 公示 notice: the office's name, the date, the period, what is proposed and how to object."""
    granted = [rt.get_partner_type_display() for rt in application.requested_types.all() if rt.granted]
    with translation.override("zh-hans"):
        document = Document(f"{PLAN} {_g('Public notice')}", number=_g("No. %(n)s") % {"n": notice_number(application)})
        document.paragraph(_g("The plan office proposes to admit the following organisation to the partner plan and "
                              "gives public notice of it."))
        document.rows([
            (_g("Organisation"), application.organization.name),
            (_g("Credit code"), application.organization.credit_code),
            (_g("Partner types"), "、".join(str(g) for g in granted) or application.get_partner_types_display()),
            (_g("Public notice period"), f"{_when(starts_at)} — {_when(ends_at)}"),
        ])
        document.heading(_g("How to object"))
        document.paragraph(_g("Anyone may object during the notice period, with reasons and evidence, through the "
                              "objection form on the public notice page of the registry, or by writing to the plan "
                              "office: %(contact)s.") % {"contact": settings.PLAN_OFFICE_CONTACT})
        document.footer = f"{settings.PLAN_OFFICE_CONTACT.split('·')[0].strip()}\n{_when(starts_at)[:10]}"
        return document.render()
