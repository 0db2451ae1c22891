"""Fills the partner-type profiles of a demo application from the pools in seeds/demo/content.json."""

from decimal import Decimal

from ..enums import PartnerType
from ..models import Industry, Scenario
from ..services import applications as app_services
from .data import digest, pick


def algorithm_filing(key: str, division: str) -> str:
    digits = "".join(str(b % 10) for b in digest(key))[:15]
    return f"网信算备{division[:6]}{digits}号"


def genai_filing(key: str, model_name: str) -> str:
    month = digest(key)[1] % 12 + 1
    day = digest(key)[2] % 28 + 1
    return f"Beijing-{model_name}-2024{month:02d}{day:02d}"


def fill_profile(application, partner_type, entry, pools):
    profile = app_services.profile_of(application, partner_type)
    item = pick(pools[partner_type], entry["name"], partner_type)
    profile.summary = item["summary"]
    if partner_type == PartnerType.COMPUTE:
        profile.capacity_pflops_fp16 = Decimal(item["capacity"])
        profile.accelerators_domestic = item["domestic"]
        profile.accelerators_foreign = item["foreign"]
        profile.datacenter_locations = item["locations"]
        profile.services = item["services"]
        profile.sme_pricing = item["pricing"]
    elif partner_type == PartnerType.DATA:
        profile.roles = [entry["data_role"]] if entry.get("data_role") else item["roles"]
        profile.domains = item["domains"]
        profile.modalities = item["modalities"]
        profile.volume_tb = Decimal(item["volume"])
        profile.compliance_certifications = item["certs"]
    elif partner_type == PartnerType.MODEL:
        profile.base_models = item["base_models"]
        profile.parameter_scale_billion = Decimal(item["params"])
        profile.algorithm_filing = algorithm_filing(entry["name"], entry.get("division") or entry["district"])
        profile.genai_filing = genai_filing(entry["name"], item["genai_model"])
    elif partner_type == PartnerType.APPLICATION:
        profile.industry = Industry.objects.get(code=item["industry"])
    elif partner_type == PartnerType.INVESTMENT:
        profile.fund_type = item["fund_type"]
        profile.fund_size_100m = Decimal(item["size"])
        profile.stages = item["stages"]
        profile.focus_areas = item["focus"]
        profile.ai_investments = item["investments"]
    profile.full_clean()
    profile.save()
    if partner_type == PartnerType.MODEL:
        profile.industries.set(Industry.objects.filter(code__in=item["industries"]))
    if partner_type == PartnerType.APPLICATION:
        for s in item["scenarios"]:
            scenario = Scenario(profile=profile, title=s["title"], description=s["description"],
                                data_available=s["data"], budget_min_10k=s["min"], budget_max_10k=s["max"])
            scenario.full_clean()
            scenario.save()
    return profile
