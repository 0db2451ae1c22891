"""The member-request process (诉求): raised by a member or recorded by its officer, perhaps referred to a
department, resolved by the officer, then confirmed or reopened by the member.

Past its deadline an open request is escalated once by the periodic job (the system's `escalate`, which keeps
the state). Effects and checks are registered by `partners.services.member_requests`.
"""

from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from ..enums import MemberRequestState as R
from .engine import SYSTEM, AlreadyChanged, Process, Transition, register
from .roles import ADMINISTRATOR, MEMBER, SERVICE_OFFICER


def _t(source, action, target, roles, label, *, requires=(), style="primary"):
    return Transition(source, action, target, frozenset(roles), label, tuple(requires), f"member_request.{action}",
                      True, style, "member_request")


OFFICERS = {SERVICE_OFFICER, ADMINISTRATOR}
OPEN = [R.RAISED, R.REFERRED, R.REOPENED]

TRANSITIONS: tuple[Transition, ...] = (
    *(_t(state, "refer", R.REFERRED, OFFICERS, _("Refer to a department"), requires=("department", "due_on"))
      for state in OPEN),
    *(_t(state, "resolve", R.RESOLVED, OFFICERS, _("Record the resolution"), requires=("resolution",),
         style="success") for state in OPEN),
    _t(R.RESOLVED, "confirm", R.CONFIRMED, {MEMBER}, _("Confirm the resolution"), style="success"),
    _t(R.RESOLVED, "reopen", R.REOPENED, {MEMBER}, _("Not resolved: reopen"), requires=("reason",),
       style="danger"),
    *(_t(state, "escalate", state, {SYSTEM}, _("Escalate: past its deadline"), style="warning") for state in OPEN),
)

FIELD_LABELS = {"department": _("the department"), "due_on": _("the date the department answers by"),
                "resolution": _("the resolution"), "reason": _("a reason")}


def _state_label(state):
    return R(state).label if state in R.values else state


def _locate(request_id):
    from ..models import MemberRequest

    return (MemberRequest.objects.select_for_update(of=("self",))
            .select_related("membership", "membership__organization", "membership__service").get(pk=request_id))


def _permission(user, transition, member_request):
    from ..member_scope import can_fire_member_request

    return can_fire_member_request(user, transition, member_request)


def _previous_state(member_request):
    from ..models import AuditEvent

    return (AuditEvent.objects.filter(organization_id=member_request.membership.organization_id,
                                      action__startswith="member_request.", data__request=member_request.pk)
            .exclude(from_state="").order_by("-id").values_list("from_state", flat=True).first())


def _already_changed(member_request, actor):
    return AlreadyChanged(_g("This request was already changed: it is now “%(state)s”. Please reload.")
                          % {"state": _state_label(member_request.state)})


PROCESS = register(Process(
    name="member_request",
    model_label="partners.MemberRequest",
    transitions=TRANSITIONS,
    initial=R.RAISED,
    finals=(R.CONFIRMED,),
    state_label=_state_label,
    field_labels=FIELD_LABELS,
    locate=_locate,
    permission=_permission,
    previous_state=_previous_state,
    already_changed=_already_changed,
))

__all__ = ["OFFICERS", "PROCESS", "SYSTEM", "TRANSITIONS"]
