"""Demo entries of the data catalogue and the showcase, built through the services once: a data set of a data
member, the demo applicant's demand it matches, an accepted introduction, and a published case counting
toward this year's target."""

from django.test import override_settings
from django.utils import timezone

from ..enums import AccessTerms, DataLicence, DataModality, MembershipState, OrgRole, SizeUnit, TrainingStage
from ..models import Case, DataDemand, DataSet, Membership, OrganizationMember, YearTarget


def seed_catalogue(people):
    """Nothing when the catalogue already has entries (a second run changes nothing)."""
    from ..services import cases, catalogue, introductions

    if DataSet.objects.exists():
        return
    applicant = people["applicant"]
    own = OrganizationMember.objects.filter(user=applicant, role=OrgRole.OWNER).select_related("organization").first()
    member = (Membership.objects.exclude(organization__memberships_of_people__user=applicant)
              .select_related("organization").order_by("pk").first())
    if own is None or member is None:
        return
    supplier = member.organization.owner
    with override_settings(CATALOGUE_MODERATION=False):
        supply = catalogue.publish(supplier, DataSet(
            organization=member.organization, name="中文医疗问诊对话语料", modality=DataModality.TEXT,
            industry_id="health", size_value=500_000_000, size_unit=SizeUnit.TOKENS, languages=["zh"],
            licence=DataLicence.COMMERCIAL, access_terms=AccessTerms.EXCHANGE, security_assessed=True,
            description="经脱敏处理的三甲医院在线问诊对话，覆盖内科、儿科等科室。",
            sample_description="每条含患者主诉、医生问询与建议，已去除个人信息。"))
        need = catalogue.publish(applicant, DataDemand(
            organization=own.organization, title="医疗大模型微调数据需求", modality=DataModality.TEXT,
            industry_id="health", size_value=100_000_000, size_unit=SizeUnit.TOKENS, languages=["zh"],
            stage=TrainingStage.FINETUNING, needs_commercial_use=True,
            description="用于医疗问诊助手的指令微调，需中文高质量对话数据。"))
    introduction = introductions.request_introduction(applicant, supply, need, "希望了解数据授权方式。")
    introductions.answer(supplier, introduction, accept=True)
    year = timezone.localdate().year
    YearTarget.objects.get_or_create(year=year)
    case = cases.create_case(supplier, Case(
        organization=member.organization, kind="application", title="智慧医疗预问诊标杆应用", year=year,
        industry_id="health", scenario="在三甲医院门诊部署大模型预问诊，患者候诊时完成病史采集。",
        results="医生问诊时间缩短30%，病历书写效率提升40%。"),
        # The demo applicant's organisation took part, when it is a member (the case page links it).
        partner_ids=[own.organization_id] if Membership.objects.filter(
            organization=own.organization, state=MembershipState.ACTIVE).exists() else ())
    cases.fire(supplier, case, "submit")
    cases.fire(people["reviewer"], case, "start_review")
    cases.fire(people["reviewer"], case, "publish")
    cases.designate(people["approver"], case)
