"""Decision letters: administrators edit the templates; the filled-in letter is kept with the decision."""

from django.conf import settings
from django.template import Context, Template
from django.utils import translation

from ..models import DecisionLetterTemplate

DEFAULTS = {
    ("approved", "zh-hans"): (
        "关于{{ organization }}加入伙伴计划的审核结果",
        "{{ organization }}:\n\n经初审、复审，贵单位申请的{{ granted }}已审核通过，现进入为期{{ days }}天的公示期。"
        "公示期满无异议的，将正式成为北京市通用人工智能产业创新伙伴计划成员。\n\n北京市通用人工智能产业创新伙伴计划",
    ),
    ("approved", "en"): (
        "Result of the review of {{ organization }}",
        "Dear {{ organization }},\n\nYour application as {{ granted }} has been approved and is now in its public "
        "notice period of {{ days }} days. If no objection is upheld, you will then be admitted as a member of the "
        "Beijing General AI Industry Innovation Partner Plan.\n",
    ),
    ("rejected", "zh-hans"): (
        "关于{{ organization }}加入伙伴计划的审核结果",
        "{{ organization }}:\n\n很遗憾，贵单位的申请未获通过。理由如下:\n{{ reason }}\n\n北京市通用人工智能产业创新伙伴计划",
    ),
    ("rejected", "en"): (
        "Result of the review of {{ organization }}",
        "Dear {{ organization }},\n\nWe regret that your application was not approved, for this reason:\n"
        "{{ reason }}\n",
    ),
}


def render_letter(outcome, application, *, language=None, **extra):
    owner = application.organization.owner
    language = language or (owner.language if owner else settings.LANGUAGE_CODE)
    row = DecisionLetterTemplate.objects.filter(outcome=outcome, language=language).first()
    subject_src, body_src = (row.subject, row.body) if row else DEFAULTS.get(
        (outcome, language), DEFAULTS[(outcome, "zh-hans")])
    with translation.override(language):
        from ..enums import PartnerType

        granted = "、".join(str(PartnerType(t).label) for t in extra.pop("granted", []))
        ctx = Context({"organization": application.organization.name, "granted": granted,
                       "days": settings.PUBLICITY_DAYS, "application_id": application.pk, **extra},
                      autoescape=False)
        return Template(subject_src).render(ctx).strip(), Template(body_src).render(ctx)
