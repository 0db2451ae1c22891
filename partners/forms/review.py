"""Staff forms: the queue filter, bulk assignment, decisions, notes, objections, members and letters."""

import re
from dataclasses import dataclass
from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib.auth.models import Group
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..enums import ApplicationState, Channel, ExpertAssignmentState, PartnerType, Recommendation
from ..models import Application, Call, District, User
from ..pagination import COUNT_CAP, capped_counts
from ..validators import normalize_credit_code
from .fast_widgets import FastCheckboxInput, FastSelect, FastTextInput, ListedModelChoiceField

TEXT_LIMIT = 5000
# A search matching up to this many organisations is counted exactly per state in one query (bounded by them).
SEARCH_EXACT_ORGS = 20_000
CREDIT_CODE_PREFIX = re.compile(r"[0-9A-Z]+")
QUEUE_STATES = [s for s in ApplicationState if s != ApplicationState.DRAFT]
SORTS = {
    "-submitted": ("-submitted_at", "-pk"),
    "submitted": ("submitted_at", "pk"),
    "name": ("organization__name", "pk"),
    "-changed": ("-state_changed_at", "-pk"),
    "changed": ("state_changed_at", "pk"),
    "state": ("state", "-submitted_at", "-pk"),
}
SORT_LABELS = [
    ("-submitted", _("Newest submission first")),
    ("submitted", _("Oldest submission first")),
    ("name", _("Organisation name")),
    ("-changed", _("Most recently changed")),
    ("changed", _("Least recently changed")),
    ("state", _("State")),
]


def overdue_q(now=None):
    """Submitted or in first review for longer than the service level allows."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.REVIEW_SLA_DAYS)
    return Q(state__in=[ApplicationState.SUBMITTED, ApplicationState.IN_REVIEW], submitted_at__lt=cutoff)


@dataclass(frozen=True)
class StateCounts:
    """The queue's counts per state, each stopping at `cap` (then the state is in `capped`: "more than cap")."""

    counts: list  # [(state, n)] in QUEUE_STATES order
    capped: frozenset  # values of the states whose count stopped at the cap
    cap: int

    def total(self, state=""):
        """(n, capped): the selected state's count, or the sum over every state, capped if any part of it is."""
        if state:
            return dict((s.value, n) for s, n in self.counts).get(state, 0), state in self.capped
        return sum(n for _s, n in self.counts), bool(self.capped)


def _capped(per_state):
    """StateCounts from exact counts {state: n}, each shown up to COUNT_CAP as the LIMITed counts are (the pages
    stop at the cap either way: nobody pages past 10,000 rows, they filter)."""
    cap = COUNT_CAP
    return StateCounts(counts=[(s, min(per_state.get(s.value, 0), cap)) for s in QUEUE_STATES],
                       capped=frozenset(s.value for s in QUEUE_STATES if per_state.get(s.value, 0) > cap), cap=cap)


def bootstrap(form):
    """Bootstrap classes on every widget (the forms are rendered field by field in compact toolbars)."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, (forms.CheckboxInput, forms.RadioSelect, forms.CheckboxSelectMultiple,
                               forms.HiddenInput, forms.MultipleHiddenInput)):
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            continue
        widget.attrs.setdefault("class", "form-select" if isinstance(widget, forms.Select) else "form-control")
    return form


def reviewers():
    """People who may be assigned applications."""
    return (User.objects.filter(is_active=True, groups__name__in=["reviewer", "administrator"])
            .distinct().order_by("email"))


class QueueFilterForm(forms.Form):
    """The queue's filter; the same form filters the page, the bulk assignment and the export."""

    # Drawn on every view of the queue: the widgets write their HTML without the template engine.
    q = forms.CharField(label=_("Name or credit code"), required=False, max_length=200, widget=FastTextInput)
    state = forms.ChoiceField(label=_("State"), required=False, widget=FastSelect,
                              choices=[("", _("All states"))] + [(s.value, s.label) for s in QUEUE_STATES])
    partner_type = forms.ChoiceField(label=_("Partner type"), required=False, widget=FastSelect,
                                     choices=[("", _("All types")), *PartnerType.choices])
    channel = forms.ChoiceField(label=_("Channel"), required=False, widget=FastSelect,
                                choices=[("", _("All channels")), *Channel.choices])
    district = ListedModelChoiceField(label=_("District"), required=False, queryset=District.objects.all(),
                                      empty_label=_("All districts"))
    call = ListedModelChoiceField(label=_("Call"), required=False, queryset=Call.objects.order_by("-pk"),
                                  empty_label=_("All calls"))
    mine = forms.BooleanField(label=_("Assigned to me"), required=False, widget=FastCheckboxInput)
    unassigned = forms.BooleanField(label=_("Unassigned"), required=False, widget=FastCheckboxInput)
    overdue = forms.BooleanField(label=_("Overdue"), required=False, widget=FastCheckboxInput)
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORT_LABELS, widget=FastSelect)

    FILTER_FIELDS = ["q", "state", "partner_type", "channel", "district", "call", "mine", "unassigned", "overdue",
                     "sort"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)

    def base_queryset(self):
        return Application.objects.exclude(state=ApplicationState.DRAFT)

    def filter(self, user, *, with_state=True):
        """The filtered queryset; invalid filter values are ignored (the form shows their errors)."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        qs = self.base_queryset()
        q = (data.get("q") or "").strip()
        if q:
            # One subquery over organisations, each branch served by an index (bigrams of the names, the credit
            # code's pattern index), instead of an OR across the join that reads every application.
            qs = qs.filter(organization__in=self.matching_organizations(q))
        if with_state and data.get("state"):
            qs = qs.filter(state=data["state"])
        if data.get("partner_type"):
            qs = qs.filter(requested_types__partner_type=data["partner_type"])
        if data.get("channel"):
            qs = qs.filter(channel=data["channel"])
        if data.get("district"):
            qs = qs.filter(organization__district=data["district"])
        if data.get("call"):
            qs = qs.filter(call=data["call"])
        if data.get("mine"):
            qs = qs.filter(assigned_reviewer=user)
        if data.get("unassigned"):
            qs = qs.filter(assigned_reviewer__isnull=True)
        if data.get("overdue"):
            qs = qs.filter(overdue_q())
        return qs.order_by(*SORTS.get(data.get("sort") or "-submitted", SORTS["-submitted"]))

    def counts_per_state(self, user):
        """How many of the otherwise filtered applications are in each state, each count stopping at COUNT_CAP.

        A GROUP BY state reads every matching row (a million of them at city scale); instead each state is
        counted through a LIMITed subquery that the (state, -submitted_at) index answers, all in one query
        (partners/pagination.py). The cap is this module's COUNT_CAP (the lists' cap), read at each call.
        """
        kept = self.kept_counts_per_state()
        if kept is not None:
            return kept
        qs = self.filter(user, with_state=False)
        searched = self.searched_counts_per_state(qs)
        if searched is not None:
            return searched
        counted = capped_counts({s.value: qs.filter(state=s) for s in QUEUE_STATES}, COUNT_CAP)
        return StateCounts(counts=[(s, counted[s.value][0]) for s in QUEUE_STATES],
                           capped=frozenset(v for v, (_n, capped) in counted.items() if capped), cap=COUNT_CAP)

    @staticmethod
    def matching_organizations(q):
        """Organisations whose name contains `q`, or whose credit code starts with it (only a term that can be
        the start of a credit code, [0-9A-Z], asks the credit code: a Chinese term never can)."""
        from ..models import Organization
        from ..services.directory import name_matches

        code = normalize_credit_code(q)
        also = Q(credit_code__startswith=code) if code and CREDIT_CODE_PREFIX.fullmatch(code) else None
        return Organization.objects.filter(name_matches(q, also=also)).values("pk")

    def searched_counts_per_state(self, qs):
        """For a search that matches at most SEARCH_EXACT_ORGS organisations: exact counts per state in one
        GROUP BY over their applications (the index finds the organisations, each has a few applications);
        None for a broader search, which the capped counts per state answer."""
        q = (self.cleaned_data.get("q") or "").strip() if self.is_bound and self.is_valid() else ""
        if not q:
            return None
        # Any SEARCH_EXACT_ORGS + 1 of them will do: no sort by name (the organisations' default order).
        if self.matching_organizations(q).order_by()[:SEARCH_EXACT_ORGS + 1].count() > SEARCH_EXACT_ORGS:
            return None
        per_state = dict(qs.order_by().values_list("state").annotate(n=Count("pk")).values_list("state", "n"))
        return _capped(per_state)

    # Filters the kept counts answer (partners_tally: applications by state and district, requested types by
    # state, type and district); any other filter (a search, the channel, assignment, overdue) counts rows.
    KEPT_FILTERS = {"state", "partner_type", "district", "sort"}

    def kept_counts_per_state(self):
        """Exact counts per state from the kept counts, or None when the filter needs the rows themselves."""
        from ..services import tally

        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        if not tally.available() or any(data.get(k) for k in data if k not in self.KEPT_FILTERS):
            return None
        district = data["district"].pk if data.get("district") else None
        partner_type = data.get("partner_type")
        if partner_type:
            kind = "apptype"
            where = {1: partner_type, **({2: district} if district else {})}
        else:
            kind = "app"
            where = {1: district} if district else {}
        return _capped(tally.summed(tally.read(kind)[kind], where))

    def querystring(self):
        """The filter as a query string, for pagination links, the export and the bulk form."""
        from urllib.parse import urlencode

        if not (self.is_bound and self.is_valid()):
            return ""
        pairs = []
        for name in self.FILTER_FIELDS:
            value = self.cleaned_data.get(name)
            if value in (None, "", False):
                continue
            if name in ("district", "call"):
                value = value.pk
            pairs.append((name, "1" if value is True else value))
        return urlencode(pairs)


class BulkAssignForm(forms.Form):
    reviewer = ListedModelChoiceField(label=_("Reviewer"), queryset=User.objects.none(), required=False,
                                      empty_label=_("— nobody (unassign) —"))
    scope = forms.ChoiceField(label=_("Which applications"), initial="all", widget=FastSelect,
                              choices=[("all", _("All applications matching the filter")),
                                       ("selected", _("Only the ones ticked on this page"))])
    ids = forms.CharField(required=False, widget=forms.MultipleHiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].queryset = reviewers()
        bootstrap(self)

    def clean_ids(self):
        raw = self.data.getlist("ids") if hasattr(self.data, "getlist") else []
        try:
            return [int(v) for v in raw if str(v).strip()]
        except ValueError:
            raise forms.ValidationError(_("Invalid selection.")) from None

    def clean(self):
        data = super().clean()
        if data.get("scope") == "selected" and not data.get("ids"):
            raise forms.ValidationError(_("Tick at least one application, or choose all matching the filter."))
        return data


# --- Decisions ----------------------------------------------------------------------------------

class ActionForm(forms.Form):
    """Base of the decision forms: carries the action and the state the person saw (for races)."""

    action = forms.CharField(widget=forms.HiddenInput)
    expected_state = forms.ChoiceField(choices=ApplicationState.choices, widget=forms.HiddenInput)

    def __init__(self, *args, application=None, **kwargs):
        self.application = application
        super().__init__(*args, **kwargs)

    def inputs(self) -> dict:
        return {}


def _message_field(label, required=True):
    return forms.CharField(label=label, required=required, max_length=TEXT_LIMIT,
                           widget=forms.Textarea(attrs={"rows": 3}))


class StartReviewForm(ActionForm):
    pass


class RequestChangesForm(ActionForm):
    message = _message_field(_("Message to the applicant"))
    points = forms.CharField(label=_("Points to address (one per line)"), max_length=TEXT_LIMIT,
                             widget=forms.Textarea(attrs={"rows": 4}))

    def clean_points(self):
        points = [p.strip() for p in self.cleaned_data["points"].splitlines() if p.strip()]
        if not points:
            raise forms.ValidationError(_("List at least one point to change."))
        return points

    def inputs(self):
        return {"message": self.cleaned_data["message"], "points": self.cleaned_data["points"]}


class PassToFinalForm(ActionForm):
    message = _message_field(_("Note for the approver (internal)"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for t in self.application.partner_types if self.application else []:
            # No preselected answer: the reviewer chooses for each type, so a recommendation is never a default.
            self.fields[f"rec_{t}"] = forms.ChoiceField(
                label=PartnerType(t).label, choices=Recommendation.choices, widget=forms.RadioSelect,
                error_messages={"required": _("Choose a recommendation for this partner type.")})
        if self.application is not None and self.application.expert_assignments.filter(
                state=ExpertAssignmentState.SUBMITTED).exists():
            # Offered only once an expert has submitted scores: before that there is nothing to cite.
            self.fields["cite_panel"] = forms.BooleanField(
                label=_("Cite the expert panel (its mean, spread and number of experts, per criterion)"),
                required=False)

    def inputs(self):
        recs = {t: self.cleaned_data[f"rec_{t}"] for t in self.application.partner_types}
        return {"recommendations": recs, "message": self.cleaned_data.get("message", ""),
                "cite_panel": bool(self.cleaned_data.get("cite_panel"))}


class RejectForm(ActionForm):
    message = _message_field(_("Reason (sent to the applicant)"))

    def inputs(self):
        return {"message": self.cleaned_data["message"]}


class ApproveForm(ActionForm):
    granted_types = forms.MultipleChoiceField(label=_("Partner types granted"), widget=forms.CheckboxSelectMultiple,
                                              choices=())
    message = _message_field(_("Note (internal)"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.application is not None:
            requested = list(self.application.requested_types.all())
            self.fields["granted_types"].choices = [
                (rt.partner_type, f"{rt.get_partner_type_display()}"
                 + (f" — {rt.get_recommendation_display()}" if rt.recommendation else ""))
                for rt in requested]
            self.fields["granted_types"].initial = [rt.partner_type for rt in requested
                                                    if rt.recommendation != Recommendation.DECLINE]

    def inputs(self):
        return {"granted_types": self.cleaned_data["granted_types"], "message": self.cleaned_data.get("message", "")}


class ReturnToReviewForm(ActionForm):
    message = _message_field(_("Why it goes back to first review (internal)"))

    def inputs(self):
        return {"message": self.cleaned_data["message"]}


ACTION_FORMS = {
    "start_review": StartReviewForm,
    "request_changes": RequestChangesForm,
    "pass_to_final": PassToFinalForm,
    "reject": RejectForm,
    "approve": ApproveForm,
    "return_to_review": ReturnToReviewForm,
}


def action_form(action, application, data=None):
    form_class = ACTION_FORMS.get(action)
    if form_class is None:
        return None
    initial = {"action": action, "expected_state": application.state}
    return form_class(data, application=application, initial=initial, prefix=action)


# --- Other staff forms --------------------------------------------------------------------------

class NoteForm(forms.Form):
    body = _message_field(_("Internal note (staff only)"))


class ResolveObjectionForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), widget=forms.RadioSelect,
                                choices=[("dismiss", _("Dismiss the objection")),
                                         ("uphold", _("Uphold it and return the application to final review"))])
    resolution = _message_field(_("Resolution"))


class MembershipChangeForm(forms.Form):
    action = forms.ChoiceField(choices=[("suspend", _("Suspend")), ("reinstate", _("Reinstate")),
                                        ("revoke", _("Revoke"))], widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class LetterTemplateForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(label=_("Body"), max_length=20000, widget=forms.Textarea(attrs={"rows": 14}))

    def clean(self):
        data = super().clean()
        from ..services.applications import ServiceError
        from ..services.letters import compile_letter

        for name in ("subject", "body"):
            if data.get(name):
                try:
                    compile_letter(data[name])
                except ServiceError as exc:
                    self.add_error(name, exc.message)
        return data


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field; each passes the upload checks (size, type sniffed, content, scanner)."""

    def __init__(self, *args, max_files=5, **kwargs):
        self.max_files = max_files
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        from .attachments import validate_upload

        files = [f for f in (data if isinstance(data, (list, tuple)) else [data]) if f]
        if len(files) > self.max_files:
            raise forms.ValidationError(_("At most %(n)d evidence files can be attached.") % {"n": self.max_files})
        cleaned = [super(MultipleFileField, self).clean(f, initial) for f in files]
        for uploaded in cleaned:
            try:
                validate_upload(uploaded)
            except forms.ValidationError as exc:
                raise forms.ValidationError(f"{uploaded.name}: {' '.join(exc.messages)}") from None
        return cleaned


class ObjectionForm(forms.Form):
    """The public objection form during 公示."""

    name = forms.CharField(label=_("Your name"), max_length=50)
    contact = forms.CharField(label=_("How to reach you (phone or e-mail)"), max_length=100)
    email = forms.EmailField(
        label=_("E-mail for the reference number and the outcome"), required=False, max_length=254,
        help_text=_("We send your reference number and, later, the outcome (upheld or dismissed) to this address. "
                    "Leave it empty if your contact above is an e-mail address."))
    reason = forms.CharField(label=_("Reason for the objection"), max_length=TEXT_LIMIT,
                             widget=forms.Textarea(attrs={"rows": 6}))
    evidence = MultipleFileField(
        label=_("Evidence (optional: up to 5 PDF, JPEG or PNG files, at most 10 MB each)"), required=False)


def staff_groups():
    return Group.objects.filter(name__in=["reviewer", "approver", "service_officer", "administrator"])
