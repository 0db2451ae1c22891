"""Where an organisation is registered, read from its credit code, and whether the plan admits it.

Characters 3-8 of the unified social credit code are the administrative division of the registering authority
(GB/T 2260). A Beijing district's code fills the organisation's location; a code from outside Beijing is admitted
only as the plan's eligibility setting (PLAN_ELIGIBILITY) allows; a stated location that disagrees with the code
is a flag for staff, with an explanation, never silently accepted.
"""

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _g

from ..validators import credit_code_errors, normalize_credit_code

BEIJING_DISTRICTS = {
    "110101": "东城区", "110102": "西城区", "110105": "朝阳区", "110106": "丰台区", "110107": "石景山区",
    "110108": "海淀区", "110109": "门头沟区", "110111": "房山区", "110112": "通州区", "110113": "顺义区",
    "110114": "昌平区", "110115": "大兴区", "110116": "怀柔区", "110117": "平谷区", "110118": "密云区",
    "110119": "延庆区",
}
# Codes of registering authorities that are not today's districts, and the district they stand for.
FORMER = {
    "110103": "110101",  # 崇文区, merged into 东城区 in 2010
    "110104": "110102",  # 宣武区, merged into 西城区 in 2010
    "110228": "110118",  # 密云县, a district since 2015
    "110229": "110119",  # 延庆县, a district since 2015
}
ETOWN = "110302"  # the E-Town (北京经济技术开发区) branch of the market regulator; E-Town lies in 大兴区
ETOWN_DISTRICT = "110115"
PROVINCES = {
    "11": "北京市", "12": "天津市", "13": "河北省", "14": "山西省", "15": "内蒙古自治区", "21": "辽宁省",
    "22": "吉林省", "23": "黑龙江省", "31": "上海市", "32": "江苏省", "33": "浙江省", "34": "安徽省", "35": "福建省",
    "36": "江西省", "37": "山东省", "41": "河南省", "42": "湖北省", "43": "湖南省", "44": "广东省",
    "45": "广西壮族自治区", "46": "海南省", "50": "重庆市", "51": "四川省", "52": "贵州省", "53": "云南省",
    "54": "西藏自治区", "61": "陕西省", "62": "甘肃省", "63": "青海省", "64": "宁夏回族自治区",
    "65": "新疆维吾尔自治区", "71": "台湾省", "81": "香港特别行政区", "82": "澳门特别行政区",
}
OUTSIDE = "outside"

# The plan's eligibility rule for organisations registered outside Beijing.
BEIJING_ONLY = "beijing_only"  # only codes registered in Beijing
BEIJING_ENTITY = "beijing_entity"  # outside Beijing only with an operating entity in Beijing, named by its own code
ANYWHERE = "anywhere"
RULES = (BEIJING_ONLY, BEIJING_ENTITY, ANYWHERE)


@dataclass(frozen=True)
class Region:
    code: str  # the six digits, or "" when the credit code has none
    in_beijing: bool
    district: str | None  # a Beijing district code when the region names one
    in_etown: bool
    province: str  # the province's name for codes outside Beijing
    label: str  # how to name the region to a person


def region_of(credit_code) -> Region:
    code = normalize_credit_code(credit_code)
    digits = code[2:8] if len(code) >= 8 else ""
    if not digits.isdigit():
        return Region("", False, None, False, "", "")
    if digits == ETOWN:
        return Region(digits, True, ETOWN_DISTRICT, True, "", _g("the Beijing Economic-Technological Development "
                                                                 "Area (E-Town, in 大兴区)"))
    district = FORMER.get(digits, digits if digits in BEIJING_DISTRICTS else None)
    if digits.startswith("11"):
        label = BEIJING_DISTRICTS[district] if district else _g("Beijing (a city-level authority)")
        return Region(digits, True, district, False, "", label)
    province = PROVINCES.get(digits[:2], "")
    return Region(digits, False, None, False, province, province or _g("outside Beijing"))


def location_from_code(credit_code) -> dict:
    """The location facts a Beijing code fills: {"district_id": …, "in_etown": …}, or {} when it names none."""
    region = region_of(credit_code)
    if region.district:
        return {"district_id": region.district, "in_etown": region.in_etown}
    if region.code and not region.in_beijing and region.province:
        return {"district_id": OUTSIDE, "province": region.province}
    return {}


@dataclass(frozen=True)
class LocationCheck:
    region: Region
    matches: bool
    explanation: str  # why the stated location and the code disagree ("" when they agree)


def location_check(organization) -> LocationCheck:
    """Does the stated district agree with the region of the credit code? Staff see the answer as a flag."""
    region = region_of(organization.credit_code)
    stated = organization.district_id
    if not region.code or not stated:
        return LocationCheck(region, True, "")
    if region.in_beijing and stated == OUTSIDE:
        return LocationCheck(region, False, _g(
            "The credit code was issued in %(region)s (%(code)s), but the organisation says it is outside Beijing.")
            % {"region": region.label, "code": region.code})
    if not region.in_beijing and stated != OUTSIDE:
        return LocationCheck(region, False, _g(
            "The credit code was issued in %(region)s (%(code)s), but the organisation states a Beijing district. "
            "An organisation operating in Beijing through a subsidiary or branch has that entity's own credit code; "
            "check whether it should apply with it.") % {"region": region.label, "code": region.code})
    if region.district and stated != OUTSIDE and stated != region.district:
        return LocationCheck(region, False, _g(
            "The credit code was issued by the authority of %(region)s (%(code)s), but the stated district is "
            "another. The organisation may have moved since it was registered; compare with the business licence.")
            % {"region": region.label, "code": region.code})
    return LocationCheck(region, True, "")


def rule() -> str:
    value = getattr(settings, "PLAN_ELIGIBILITY", BEIJING_ENTITY)
    return value if value in RULES else BEIJING_ENTITY


def beijing_entity_problem(code) -> str:
    code = normalize_credit_code(code)
    if not code:
        return _g("Name the operating entity in Beijing with its own credit code.")
    errors = credit_code_errors(code)
    if errors:
        return errors[0]
    if not region_of(code).in_beijing:
        return _g("The operating entity's credit code must be one issued in Beijing (characters 3-8 starting 11).")
    return ""


def eligibility_problem(organization) -> str:
    """Why the plan does not admit this organisation's application, or "" when it does."""
    region = region_of(organization.credit_code)
    if not region.code or region.in_beijing or rule() == ANYWHERE:
        return ""
    where = region.label
    if rule() == BEIJING_ONLY:
        return _g("The plan admits organisations registered in Beijing; this credit code was issued in %(where)s. "
                  "If the organisation operates in Beijing through its own entity, apply with that entity's credit "
                  "code.") % {"where": where}
    problem = beijing_entity_problem(getattr(organization, "beijing_entity_credit_code", ""))
    if problem or not getattr(organization, "beijing_entity_name", "").strip():
        return _g("The credit code was issued in %(where)s. The plan admits an organisation registered outside "
                  "Beijing only with an operating entity in Beijing: name it with its own credit code (step 1). "
                  "%(problem)s") % {"where": where, "problem": problem}
    return ""


def notice(organization) -> str:
    """What the portal says before the six steps, for an organisation registered outside Beijing."""
    region = region_of(organization.credit_code)
    if not region.code or region.in_beijing or rule() == ANYWHERE:
        return ""
    if rule() == BEIJING_ONLY:
        return eligibility_problem(organization)
    return _g("%(org)s is registered in %(where)s. The plan admits it only with an operating entity in Beijing, "
              "named with that entity's own credit code in step 1.") % {"org": organization.name,
                                                                         "where": region.label}
