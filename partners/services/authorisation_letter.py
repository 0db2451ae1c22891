"""The template authorisation letter (授权委托书) a claimant prints, has sealed and uploads, as a PDF.

The PDF uses Adobe's predefined Chinese font STSong-Light with the UniGB-UCS2-H encoding, which every PDF reader
provides (reportlab's UnicodeCIDFont does the same), so no font file is embedded and no dependency is added.
"""

import datetime
import re

from ..pdf import cjk_pdf, ucs2_hex

PAGE_WIDTH, PAGE_HEIGHT = 595, 842  # A4 in points
MARGIN = 72
SIZE = 12
LEADING = 22


def _width(text: str, size: int) -> float:
    # Full-width characters advance one em; ASCII half an em (the W array below says the same to the reader).
    return sum(size * (0.5 if ord(c) < 128 else 1.0) for c in text)


def wrap(text: str, size: int = SIZE, width: float = PAGE_WIDTH - 2 * MARGIN) -> list[str]:
    """Lines that fit the width; Chinese breaks between any two characters, a run of ASCII (a credit code) never."""
    tokens = re.findall(r"[!-~]+|.", text)
    lines, line = [], ""
    for token in tokens:
        if line and _width(line + token, size) > width:
            lines.append(line)
            line = token
        else:
            line += token
    lines.append(line)
    return lines


def letter_lines(*, organization: str, credit_code: str, claimant: str, position: str, legal_representative: str,
                 today: datetime.date) -> list[tuple[int, str, bool]]:
    """(size, text, centred) for each line of the letter, wrapped to the page."""
    who = claimant + (f"（职务：{position}）" if position else "")
    body = (f"兹授权{who}代表本单位{organization}（统一社会信用代码：{credit_code}）在北京市通用人工智能产业创新"
            "伙伴计划登记平台办理单位认领与核验、信息维护及申报等事宜。被授权人在上述权限内所作的一切行为，本单位均予"
            "以承认，并对所提交材料的真实性负责。")
    lines = [(18, "授权委托书", True), (SIZE, "", False), (SIZE, "北京市通用人工智能产业创新伙伴计划办公室：", False)]
    lines += [(SIZE, line, False) for line in wrap("　　" + body)]
    lines += [(SIZE, "", False), (SIZE, f"被授权人：{claimant}", False),
              (SIZE, "被授权人身份证件号码：____________________", False), (SIZE, "", False),
              (SIZE, f"授权单位（盖章）：{organization}", False),
              (SIZE, f"法定代表人（签字）：{legal_representative or '____________'}", False),
              (SIZE, f"日期：{today.year}年____月____日", False)]
    return lines


def authorisation_letter_pdf(*, organization, credit_code, claimant, position="", legal_representative="",
                             today=None) -> bytes:
    today = today or datetime.date.today()
    parts = ["BT"]
    y = PAGE_HEIGHT - MARGIN
    for size, text, centred in letter_lines(organization=organization, credit_code=credit_code, claimant=claimant,
                                            position=position, legal_representative=legal_representative,
                                            today=today):
        x = (PAGE_WIDTH - _width(text, size)) / 2 if centred else MARGIN
        if text:
            parts.append(f"/F1 {size} Tf 1 0 0 1 {x:.1f} {y:.1f} Tm <{ucs2_hex(text)}> Tj")
        y -= LEADING if size == SIZE else LEADING + 12
    parts.append("ET")
    return cjk_pdf([("\n".join(parts)).encode("ascii")], size=(PAGE_WIDTH, PAGE_HEIGHT))
