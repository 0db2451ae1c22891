"""The membership certificate (入库证书): a one-page PDF with the member's name, partner types, number and date,
and a QR code leading to the public page that confirms (or denies) it.

The PDF is drawn anew from the membership at each download, so it always shows the current facts; its QR code
names the member's random certificate token, never its database id. ReportLab's built-in CID font STSong-Light
draws the Chinese text, so no font file is needed.
"""

import io

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from ..enums import MembershipState, PartnerType, in_type_order

PLAN_NAME_ZH = "北京市通用人工智能产业创新伙伴计划"
PLAN_NAME_EN = "Beijing General AI Industry Innovation Partner Plan"
FONT = "STSong-Light"


def verification_url(service) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("public:certificate", args=[service.certificate_token])


def qr_png(text: str) -> bytes:
    """The QR code of `text` as a PNG (error correction M: survives a crease or a stamp over a corner)."""
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M

    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=8, border=4)
    code.add_data(text)
    code.make(fit=True)
    out = io.BytesIO()
    code.make_image(fill_color="black", back_color="white").save(out, format="PNG")
    return out.getvalue()


def current_types(membership) -> list[str]:
    return list(in_type_order(g.partner_type for g in membership.grants.all() if g.ends_on is None))


def _register_font():
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def certificate_pdf(membership) -> bytes:
    """The certificate of `membership` as PDF bytes."""
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    from .member_service import service_of

    _register_font()
    service = service_of(membership)
    organization = membership.organization
    url = verification_url(service)
    labels_zh = {code: ZH_TYPES[code] for code in PartnerType.values}
    labels_en = dict(EN_TYPES)
    types = current_types(membership)
    admitted = timezone.localtime(membership.admitted_at).date()
    issued = timezone.localdate()

    out = io.BytesIO()
    width, height = landscape(A4)
    pdf = canvas.Canvas(out, pagesize=(width, height), pageCompression=1)
    pdf.setTitle(f"入库证书 {membership.number}")
    pdf.setAuthor(PLAN_NAME_ZH)
    pdf.setLineWidth(3)
    pdf.rect(28, 28, width - 56, height - 56)
    pdf.setLineWidth(1)
    pdf.rect(36, 36, width - 72, height - 72)
    pdf.setFont(FONT, 30)
    pdf.drawCentredString(width / 2, height - 100, "入库证书")
    pdf.setFont(FONT, 13)
    pdf.drawCentredString(width / 2, height - 124, "Membership Certificate")
    pdf.setFont(FONT, 22)
    pdf.drawCentredString(width / 2, height - 185, organization.name)
    if organization.name_en:
        pdf.setFont(FONT, 12)
        pdf.drawCentredString(width / 2, height - 205, organization.name_en[:100])
    pdf.setFont(FONT, 14)
    pdf.drawCentredString(width / 2, height - 245, f"经审核,已列入{PLAN_NAME_ZH}成员名单。")
    pdf.setFont(FONT, 10)
    pdf.drawCentredString(width / 2, height - 262, f"is a member of the {PLAN_NAME_EN}.")
    rows = [
        ("伙伴类型 Partner types", "、".join(labels_zh[t] for t in types) or "—",
         ", ".join(str(labels_en[t]) for t in types)),
        ("成员编号 Member number", membership.number, ""),
        ("入库日期 Admitted on", f"{admitted.year}年{admitted.month}月{admitted.day}日", admitted.isoformat()),
        ("发证日期 Issued on", f"{issued.year}年{issued.month}月{issued.day}日", issued.isoformat()),
    ]
    y = height - 310
    for label, value_zh, value_en in rows:
        pdf.setFont(FONT, 12)
        pdf.drawString(110, y, label)
        pdf.drawString(300, y, value_zh)
        if value_en and value_en != value_zh:
            pdf.setFont(FONT, 9)
            pdf.drawString(300, y - 13, value_en)
        y -= 36
    if membership.state != MembershipState.ACTIVE:
        pdf.setFont(FONT, 14)
        pdf.drawString(110, y, STATE_NOTES[membership.state])
    image = ImageReader(io.BytesIO(qr_png(url)))
    size = 130
    pdf.drawImage(image, width - 110 - size, 80, size, size)
    pdf.setFont(FONT, 8)
    pdf.drawCentredString(width - 110 - size / 2, 70, "扫码核验 Scan to verify")
    pdf.setFont(FONT, 12)
    pdf.drawString(110, 90, PLAN_NAME_ZH + "办公室")
    pdf.showPage()
    pdf.save()
    return out.getvalue()


# The plan's own names of the partner types, fixed on the certificate whatever the page language.
ZH_TYPES = {"compute": "算力伙伴", "data": "数据伙伴", "model": "模型伙伴", "application": "应用伙伴",
            "investment": "投资伙伴"}
EN_TYPES = {"compute": "Compute partner", "data": "Data partner", "model": "Model partner",
            "application": "Application partner", "investment": "Investment partner"}
STATE_NOTES = {"suspended": "本证书所载成员资格已暂停 (membership suspended)",
               "revoked": "本证书所载成员资格已撤销 (membership revoked)"}
