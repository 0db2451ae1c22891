"""The demo expert panel: rubrics for the continuous call, the demo expert invited, and two applications to score."""

from ..enums import ApplicationState as S
from ..enums import PartnerType
from ..models import Application, ExpertAssignment
from ..services import calls as call_services
from ..services import panel as panel_services

CRITERIA = [
    {"name": "技术能力与资源", "name_en": "Capability and resources", "weight": "3",
     "score_guidance": {"1": {"zh": "不足以支撑计划任务", "en": "not enough for the plan's tasks"},
                        "5": {"zh": "行业领先，可立即投入", "en": "leading, available at once"}}},
    {"name": "对本市产业的带动作用", "name_en": "Benefit to Beijing's industry", "weight": "2"},
    {"name": "合规与安全", "name_en": "Compliance and security", "weight": "1"},
]


def seed_panel(people) -> int:
    """Idempotent: rubrics once, the expert invited once, assignments made only where none exist."""
    call = call_services.continuous_call()
    for partner_type in PartnerType.values:
        if not call.rubrics.filter(partner_type=partner_type).exists():
            panel_services.save_rubric(people["administrator"], call, partner_type, CRITERIA)
    panel_services.invite_expert(people["administrator"], call, people["expert"])
    if ExpertAssignment.objects.filter(expert=people["expert"]).exists():
        return 0
    candidates = Application.objects.filter(state__in=[S.SUBMITTED, S.IN_REVIEW], call=call).order_by("pk")[:2]
    created, _short = panel_services.assign_panel(people["reviewer"], call,
                                                  Application.objects.filter(pk__in=[a.pk for a in candidates]), 1)
    return created
