"""The template authorisation letter (授权委托书) a claimant prints, has sealed and uploads, as a PDF.

Laid out by ReportLab (partners/documents.py) in the built-in CJK font STSong-Light: no font file is embedded.
"""

import datetime

from ..documents import Document


def letter_paragraphs(*, organization: str, credit_code: str, claimant: str, position: str,
                      legal_representative: str, today: datetime.date) -> list[str]:
    """The letter's paragraphs after its title."""
    who = claimant + (f"（职务：{position}）" if position else "")
    body = (f"兹授权{who}代表本单位{organization}（统一社会信用代码：{credit_code}）在北京市通用人工智能产业创新"
            "伙伴计划登记平台办理单位认领与核验、信息维护及申报等事宜。被授权人在上述权限内所作的一切行为，本单位均予"
            "以承认，并对所提交材料的真实性负责。")
    return ["北京市通用人工智能产业创新伙伴计划办公室：", "　　" + body, "",
            f"被授权人：{claimant}", "被授权人身份证件号码：____________________", "",
            f"授权单位（盖章）：{organization}",
            f"法定代表人（签字）：{legal_representative or '____________'}",
            f"日期：{today.year}年____月____日"]


def authorisation_letter_pdf(*, organization, credit_code, claimant, position="", legal_representative="",
                             today=None) -> bytes:
    document = Document("授权委托书")
    for paragraph in letter_paragraphs(organization=organization, credit_code=credit_code, claimant=claimant,
                                       position=position, legal_representative=legal_representative,
                                       today=today or datetime.date.today()):
        document.paragraph(paragraph or "\u3000")
    return document.render()
