"""Staff screens of organisation verification: the queue (filters, assignment) and a case with its documents,
the organisation's facts, the credit code's region check, its history and the actions allowed now."""

from django import forms
from django.contrib import messages
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from ..enums import VerificationKind, VerificationState
from ..models import AuditEvent, User, VerificationCase, VerificationDocument
from ..permissions import STAFF_ROLE_CODES
from ..services import verification as verification_services
from ..services.applications import ServiceError
from ..services.eligibility import location_check
from ..workflow import VERIFICATION, TransitionError, available_actions
from .process_documents import file_response
from .review_common import paginate, staff_view

OPEN = "open"
STATE_CHOICES = [(OPEN, _("Waiting for staff")), ("", _("All")), *VerificationState.choices]
ASSIGNED_CHOICES = [("", _("Anyone or nobody")), ("me", _("Assigned to me")), ("nobody", _("Nobody yet"))]
STATUS = {"forbidden": 403, "four_eyes": 403, "conflict": 409, "invalid_transition": 409, "required": 400}


class QueueFilter(forms.Form):
    state = forms.ChoiceField(label=_("State"), choices=STATE_CHOICES, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", _("All")), *VerificationKind.choices], required=False)
    assigned = forms.ChoiceField(label=_("Assigned"), choices=ASSIGNED_CHOICES, required=False)
    q = forms.CharField(label=_("Name or credit code"), max_length=100, required=False)

    def filter(self, user):
        qs = VerificationCase.objects.select_related("organization", "claimant", "assigned_to")
        data = self.cleaned_data if self.is_valid() else {"state": OPEN}
        state = data.get("state", OPEN) if self.is_bound else OPEN
        if state == OPEN:
            qs = qs.filter(state__in=[VerificationState.PENDING, VerificationState.RECOMMENDED])
        elif state:
            qs = qs.filter(state=state)
        if data.get("kind"):
            qs = qs.filter(kind=data["kind"])
        if data.get("assigned") == "me":
            qs = qs.filter(assigned_to=user)
        elif data.get("assigned") == "nobody":
            qs = qs.filter(assigned_to__isnull=True)
        if data.get("q"):
            term = data["q"].strip()
            qs = qs.filter(Q(organization__name__icontains=term) | Q(organization__credit_code__icontains=term))
        # Oldest sent first: the queue is worked in the order people asked.
        return qs.order_by("submitted_at", "pk")


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(label=_("Assign to"), queryset=User.objects.none(), required=False,
                                      empty_label=_("Nobody (unassign)"))
    ids = forms.TypedMultipleChoiceField(coerce=int, required=False)

    def __init__(self, *args, case_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = User.objects.filter(
            is_active=True, groups__name__in=list(STAFF_ROLE_CODES)).distinct().order_by("email")
        self.fields["ids"].choices = [(i, i) for i in case_ids]


class DecisionForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=2000, required=False,
                             widget=forms.Textarea(attrs={"rows": 3}))


def _filter_form(data):
    keys = ("state", "kind", "assigned", "q")
    bound = {k: data.get(k) for k in keys if data.get(k) is not None}
    return QueueFilter(bound) if bound else QueueFilter()


@staff_view("verification.queue")
def queue(request):
    form = _filter_form(request.GET)
    page = paginate(request, form.filter(request.user))
    return render(request, "partners/review/verification_queue.html", {
        "form": form, "page": page, "assign_form": AssignForm(), "querystring": request.GET.urlencode()})


@require_POST
@staff_view("verification.assign")
def assign(request):
    ids = []
    for raw in request.POST.getlist("ids")[:500]:
        try:
            ids.append(int(raw))
        except ValueError:
            continue
    form = AssignForm(request.POST, case_ids=ids)
    if not form.is_valid():
        messages.error(request, _g("Please correct the errors below."))
        return redirect("review:verification_queue")
    try:
        changed = verification_services.assign(request.user, form.cleaned_data["ids"],
                                               form.cleaned_data["assignee"])
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("review:verification_queue")
    messages.success(request, _g("%(n)d cases changed.") % {"n": changed})
    if len(ids) == 1 and request.POST.get("from_case"):
        return redirect("review:verification", pk=ids[0])
    return redirect("review:verification_queue")


EVENT_LABELS = {
    "verification.opened": _("Case opened"),
    "verification.document_added": _("Document added"),
    "verification.document_removed": _("Document removed"),
    "verification.assigned": _("Assigned"),
    **{t.code: t.label for t in VERIFICATION.transitions},
}


def history(organization):
    """The organisation's verification history: every verification event, oldest first, with labels."""
    events = (AuditEvent.objects.filter(organization=organization, action__startswith="verification.")
              .select_related("actor").order_by("id")[:500])
    return [{"at": e.created_at, "who": e.who, "what": EVENT_LABELS.get(e.action, e.action),
             "state": VerificationState(e.to_state).label if e.to_state in VerificationState.values else "",
             "reason": (e.data or {}).get("reason", ""), "case": (e.data or {}).get("case")} for e in events]


def _context(request, case, **extra):
    organization = case.organization
    ctx = {
        "case": case, "organization": organization, "documents": case.documents.all(),
        "actions": available_actions(case, request.user), "decision_form": DecisionForm(),
        "location": location_check(organization), "history": history(organization),
        "people": organization.memberships_of_people.select_related("user").order_by("-role", "joined_at"),
        "other_cases": organization.verification_cases.exclude(pk=case.pk).select_related("claimant"),
        "assign_form": AssignForm(initial={"assignee": case.assigned_to_id}),
    }
    ctx.update(extra)
    return ctx


@staff_view("verification.queue")
def detail(request, pk):
    case = get_object_or_404(VerificationCase.objects.select_related("organization", "claimant"), pk=pk)
    return render(request, "partners/review/verification_detail.html", _context(request, case))


@require_POST
@staff_view("verification.queue")
def act(request, pk, action):
    case = get_object_or_404(VerificationCase.objects.select_related("organization", "claimant"), pk=pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return render(request, "partners/review/verification_detail.html", _context(request, case, decision_form=form),
                      status=400)
    try:
        verification_services.fire(request.user, case, action, reason=form.cleaned_data["reason"],
                                   expected_state=request.POST.get("expected_state") or None)
    except (TransitionError, ServiceError) as exc:
        messages.error(request, exc.message)
        case.refresh_from_db()
        return render(request, "partners/review/verification_detail.html", _context(request, case, decision_form=form),
                      status=STATUS.get(exc.code, 400))
    messages.success(request, _g("Done."))
    return redirect("review:verification", pk=case.pk)


@staff_view("verification.queue")
def document(request, pk, document_id):
    document = get_object_or_404(VerificationDocument, pk=document_id, case_id=pk)
    return file_response(document)
