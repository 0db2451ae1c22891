"""Decision letters: administrators edit the templates; the filled-in letter is kept with the decision."""

from django.conf import settings
from django.db import transaction
from django.template import Context, Engine, TemplateSyntaxError
from django.utils import timezone, translation
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from ..models import DecisionLetterTemplate
from ..permissions import can
from .applications import ServiceError, require
from .audit import log_event

OUTCOMES = {
    "approved": _("Approved for public notice"),
    "rejected": _("Rejected"),
    "changes_requested": _("Changes requested"),
    "admitted": _("Admitted as a member"),
}
PLACEHOLDERS = ["organization", "granted", "declined", "days", "application_id", "reason", "member_number",
                "publicity_ends", "points"]

SIGNATURE_ZH = "\n\n北京市通用人工智能产业创新伙伴计划"
DEFAULTS = {
    ("approved", "zh-hans"): (
        "关于{{ organization }}加入伙伴计划的审核结果",
        "{{ organization }}:\n\n经初审、复审，贵单位申请的{{ granted }}已审核通过，现进入为期{{ days }}天的公示期"
        "{% if publicity_ends %}（至{{ publicity_ends }}）{% endif %}。"
        "{% if declined %}申请的{{ declined }}本次未获通过。{% endif %}"
        "公示期满无异议的，将正式成为北京市通用人工智能产业创新伙伴计划成员。" + SIGNATURE_ZH,
    ),
    ("approved", "en"): (
        "Result of the review of {{ organization }}",
        "Dear {{ organization }},\n\nYour application as {{ granted }} has been approved and is now in its public "
        "notice period of {{ days }} days{% if publicity_ends %} (until {{ publicity_ends }}){% endif %}."
        "{% if declined %} Your application as {{ declined }} was not approved this time.{% endif %} "
        "If no objection is upheld, you will then be admitted as a member of the "
        "Beijing General AI Industry Innovation Partner Plan.\n",
    ),
    ("rejected", "zh-hans"): (
        "关于{{ organization }}加入伙伴计划的审核结果",
        "{{ organization }}:\n\n很遗憾，贵单位的申请未获通过。理由如下:\n{{ reason }}" + SIGNATURE_ZH,
    ),
    ("rejected", "en"): (
        "Result of the review of {{ organization }}",
        "Dear {{ organization }},\n\nWe regret that your application was not approved, for this reason:\n"
        "{{ reason }}\n",
    ),
    ("changes_requested", "zh-hans"): (
        "请补充完善{{ organization }}的申请材料",
        "{{ organization }}:\n\n{{ reason }}\n\n请修改以下内容后重新提交:\n{{ points }}" + SIGNATURE_ZH,
    ),
    ("changes_requested", "en"): (
        "Action required: please complete the application of {{ organization }}",
        "Dear {{ organization }},\n\n{{ reason }}\n\nPlease change the following and resubmit:\n{{ points }}\n",
    ),
    ("admitted", "zh-hans"): (
        "{{ organization }}已正式成为伙伴计划成员",
        "{{ organization }}:\n\n公示期满无异议，贵单位已正式成为北京市通用人工智能产业创新伙伴计划{{ granted }}，"
        "成员编号 {{ member_number }}。" + SIGNATURE_ZH,
    ),
    ("admitted", "en"): (
        "{{ organization }} is now a member of the partner plan",
        "Dear {{ organization }},\n\nThe public notice period ended without objection: you are now a member of "
        "the Beijing General AI Industry Innovation Partner Plan as {{ granted }}, member number "
        "{{ member_number }}.\n",
    ),
}

# A private engine with no template loaders: an administrator's letter can use variables, filters and
# simple tags, but cannot {% include %} or {% extends %} files of the site.
_ENGINE = Engine(dirs=[], app_dirs=False, loaders=[], libraries={}, autoescape=False)


SAMPLE = {"organization": "北京示例科技有限公司", "granted": "数据伙伴", "declined": "", "days": 7,
          "application_id": 1, "reason": "…", "member_number": "BJAI-2026-00001", "publicity_ends": "2026-01-08",
          "points": "1. …"}


def compile_letter(source):
    """Compile a letter template and try it on sample data; a ServiceError explains what is wrong."""
    try:
        template = _ENGINE.from_string(source)
        template.render(Context(SAMPLE, autoescape=False))
    except (TemplateSyntaxError, Exception) as exc:  # noqa: BLE001 - any template error is bad input
        raise ServiceError(_g("The template has an error: %(error)s") % {"error": exc}, field="body") from exc
    return template


_COMPILED: dict = {}  # source -> its compiled template, or the ServiceError compile_letter raised
_COMPILED_LIMIT = 64  # a few outcomes and languages, and the administrators' edits since the process started


def compiled_letter(source):
    """compile_letter, kept per source: a decision's letter is rendered from a template compiled and tried on the
    sample once per process, not twice per decision. A compiled template is only ever rendered afterwards."""
    found = _COMPILED.get(source)
    if found is None:
        try:
            found = compile_letter(source)
        except ServiceError as exc:
            found = exc
        if len(_COMPILED) >= _COMPILED_LIMIT:
            _COMPILED.clear()
        _COMPILED[source] = found
    if isinstance(found, ServiceError):
        raise found
    return found


def letter_source(outcome, language):
    """The administrator's template if there is one, else the built-in default."""
    row = DecisionLetterTemplate.objects.filter(outcome=outcome, language=language).first()
    if row is not None:
        return row.subject, row.body
    return DEFAULTS.get((outcome, language)) or DEFAULTS[(outcome, "zh-hans")]


def _join(codes, language):
    from ..enums import PartnerType

    sep = "、" if language.startswith("zh") else ", "
    from ..enums import in_type_order

    return sep.join(str(PartnerType(t).label) for t in in_type_order(codes) if t in PartnerType.values)


def render_letter(outcome, application, *, language=None, **extra):
    """(subject, body) of the letter for this outcome, in the owner's language unless one is given."""
    owner = application.organization.owner
    language = language or (owner.language if owner else settings.LANGUAGE_CODE)
    subject_src, body_src = letter_source(outcome, language)
    with translation.override(language):
        granted_codes = list(extra.pop("granted", []))
        declined_codes = [t for t in application.partner_types if granted_codes and t not in granted_codes]
        points = extra.pop("points", None)
        ends = application.publicity_ends_at
        ctx = {"organization": application.organization.name, "granted": _join(granted_codes, language),
               "declined": _join(declined_codes, language), "days": settings.PUBLICITY_DAYS,
               "application_id": application.pk,
               "publicity_ends": timezone.localtime(ends).date().isoformat() if ends else "",
               "points": "\n".join(f"{i}. {p}" for i, p in enumerate(points or [], 1)), **extra}
        try:
            subject = compiled_letter(subject_src).render(Context(ctx, autoescape=False))
            body = compiled_letter(body_src).render(Context(ctx, autoescape=False))
        except Exception:  # noqa: BLE001 - a broken edited template must never block a decision
            subject_src, body_src = DEFAULTS.get((outcome, language)) or DEFAULTS[(outcome, "zh-hans")]
            subject = compiled_letter(subject_src).render(Context(ctx, autoescape=False))
            body = compiled_letter(body_src).render(Context(ctx, autoescape=False))
    return " ".join(subject.split()), body


def letter_templates():
    """Every (outcome, language) with its current source and whether an administrator edited it."""
    rows = {(r.outcome, r.language): r for r in DecisionLetterTemplate.objects.all()}
    result = []
    for outcome, label in OUTCOMES.items():
        for language, language_label in settings.LANGUAGES:
            row = rows.get((outcome, language))
            subject, body = (row.subject, row.body) if row else DEFAULTS[(outcome, language)]
            result.append({"outcome": outcome, "outcome_label": label, "language": language,
                           "language_label": language_label, "subject": subject, "body": body,
                           "edited": row is not None, "updated_at": row.updated_at if row else None})
    return result


def save_letter_template(user, outcome, language, *, subject, body):
    """An administrator edits the letter for one outcome and language; the syntax is checked first."""
    require(can(user, "letters.edit"))
    if outcome not in OUTCOMES or language not in dict(settings.LANGUAGES):
        raise ServiceError(_g("Unknown letter."), code="not_found")
    subject, body = (subject or "").strip(), (body or "").strip()
    if not subject or not body:
        raise ServiceError(_g("Subject and body are required."))
    if len(subject) > 200:
        raise ServiceError(_g("The subject is too long: at most 200 characters."), field="subject")
    compile_letter(subject)
    compile_letter(body)
    with transaction.atomic():
        row, _created = DecisionLetterTemplate.objects.update_or_create(
            outcome=outcome, language=language, defaults={"subject": subject, "body": body})
        log_event("letter_template.changed", actor=user, data={"outcome": outcome, "language": language})
    return row


def reset_letter_template(user, outcome, language):
    """Back to the built-in default."""
    require(can(user, "letters.edit"))
    with transaction.atomic():
        DecisionLetterTemplate.objects.filter(outcome=outcome, language=language).delete()
        log_event("letter_template.reset", actor=user, data={"outcome": outcome, "language": language})
