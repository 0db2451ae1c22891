"""Pages of the data catalogue: the public lists and entries with their matches, the member's own entries and
introductions, and the staff moderation list."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _g
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from ..enums import Moderation
from ..forms.catalogue import CatalogueFilter, DataDemandForm, DataSetForm, IntroductionForm
from ..models import DataDemand, DataSet, Introduction, OrganizationMember
from ..permissions import acts_for, can
from ..services import catalogue, introductions, matching
from ..services.applications import ServiceError
from .review_common import paginate, staff_view

KINDS = {"dataset": (DataSet, DataSetForm), "demand": (DataDemand, DataDemandForm)}
STATUS = {"forbidden": 403, "conflict": 409, "duplicate": 409}


def _filtered(request, queryset):
    form = CatalogueFilter(request.GET or None)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if data.get("modality"):
            queryset = queryset.filter(modality=data["modality"])
        if data.get("industry"):
            queryset = queryset.filter(industry=data["industry"])
        queryset = catalogue.search(queryset, data.get("q", ""))
    return form, queryset


@require_safe
def datasets(request):
    form, qs = _filtered(request, catalogue.public_datasets().select_related("organization", "industry"))
    return render(request, "partners/catalogue/list.html", {
        "form": form, "page": paginate(request, qs, per_page=20), "kind": "dataset",
        "title": _g("Data supply catalogue")})


@require_safe
def demands(request):
    form, qs = _filtered(request, catalogue.public_demands().select_related("organization", "industry"))
    return render(request, "partners/catalogue/list.html", {
        "form": form, "page": paginate(request, qs, per_page=20), "kind": "demand",
        "title": _g("Training-data demands")})


def _visible(model, public_id, user):
    """A public entry, or the owner's own entry whatever its moderation, or any entry for staff."""
    entry = get_object_or_404(model.objects.select_related("organization", "industry", "contact"), public_id=public_id)
    if entry.moderation == Moderation.PUBLISHED or acts_for(user, entry.organization) or \
            can(user, "catalogue.moderate"):
        return entry
    raise Http404


def _own_entries(user, model):
    orgs = OrganizationMember.objects.filter(user=user).values("organization_id")
    return model.objects.filter(organization_id__in=orgs, moderation=Moderation.PUBLISHED)


@require_safe
def dataset_detail(request, public_id):
    entry = _visible(DataSet, public_id, request.user)
    matches = matching.demands_for(entry) if entry.is_public else []
    mine = set(_own_entries(request.user, DataDemand).values_list("pk", flat=True)) \
        if request.user.is_authenticated else set()
    return render(request, "partners/catalogue/dataset.html", {
        "entry": entry, "matches": matches, "my_demands": mine, "form": IntroductionForm(),
        "owner": acts_for(request.user, entry.organization)})


@require_safe
def demand_detail(request, public_id):
    entry = _visible(DataDemand, public_id, request.user)
    matches = matching.datasets_for(entry) if entry.is_public else []
    mine = set(_own_entries(request.user, DataSet).values_list("pk", flat=True)) \
        if request.user.is_authenticated else set()
    return render(request, "partners/catalogue/demand.html", {
        "entry": entry, "matches": matches, "my_datasets": mine, "form": IntroductionForm(),
        "owner": acts_for(request.user, entry.organization)})


@login_required
def new_entry(request, kind):
    if kind not in KINDS:
        raise Http404
    model, form_class = KINDS[kind]
    form = form_class(request.POST or None)
    form.limit_organizations(request.user)
    if not form.fields["organization"].queryset.exists():
        messages.error(request, _g("Register your organisation first: entries are published for an organisation."))
        return redirect("portal:home")
    if request.method == "POST" and form.is_valid():
        try:
            entry = catalogue.publish(request.user, form.save(commit=False))
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            return _saved(request, kind, entry, _g("Published in the catalogue."))
    title = _g("Publish a data set") if kind == "dataset" else _g("Publish a data demand")
    return render(request, "partners/catalogue/entry_form.html", {"form": form, "title": title, "kind": kind})


def _saved(request, kind, entry, public_message):
    """Back to the entry's page, saying whether it is public or waits for the plan office."""
    if entry.is_public:
        messages.success(request, public_message)
    else:
        messages.success(request, _g("Saved. The plan office checks the entry before it is public."))
    return redirect(f"catalogue:{kind}", public_id=entry.public_id)


def _own_entry(request, kind, public_id):
    """An entry of an organisation the person acts for; anyone else gets 404, as for an entry they cannot see."""
    if kind not in KINDS:
        raise Http404
    entry = get_object_or_404(KINDS[kind][0].objects.select_related("organization"), public_id=public_id)
    if not acts_for(request.user, entry.organization):
        raise Http404
    verdict = can(request.user, "catalogue.edit", entry.organization)
    if not verdict:
        raise PermissionDenied(verdict.reason)
    return entry


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def edit_entry(request, kind, public_id):
    """The owner changes a data set or a demand; a public entry goes back to the plan office when it moderates."""
    entry = _own_entry(request, kind, public_id)
    if entry.moderation == Moderation.WITHDRAWN:
        messages.error(request, _g("A withdrawn entry cannot be changed; publish a new one instead."))
        return redirect("catalogue:mine")
    form = KINDS[kind][1](request.POST or None, instance=entry)
    form.limit_organizations(request.user)
    form.fields["organization"].disabled = True  # an entry stays with the organisation that published it
    if request.method == "POST" and form.is_valid():
        try:
            entry = catalogue.update(request.user, form.save(commit=False), form.changed_data)
        except ServiceError as exc:
            if exc.code == "forbidden":
                raise PermissionDenied(exc.message) from None
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            return _saved(request, kind, entry, _g("Saved."))
    title = _g("Change the data set") if kind == "dataset" else _g("Change the data demand")
    return render(request, "partners/catalogue/entry_form.html", {"form": form, "title": title, "kind": kind,
                                                                   "entry": entry})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def withdraw_entry(request, kind, public_id):
    """The owner takes an entry out of the catalogue: a page asks to confirm, the POST withdraws it."""
    entry = _own_entry(request, kind, public_id)
    if entry.moderation == Moderation.WITHDRAWN:
        return redirect("catalogue:mine")
    if request.method == "POST":
        try:
            catalogue.withdraw(request.user, entry)
        except ServiceError as exc:
            if exc.code == "forbidden":
                raise PermissionDenied(exc.message) from None
            messages.error(request, exc.message)
        else:
            messages.success(request, _g("Withdrawn: the entry is no longer in the catalogue or in matching."))
        return redirect("catalogue:mine")
    return render(request, "partners/catalogue/withdraw.html", {"entry": entry, "kind": kind,
                                                                 "name": getattr(entry, "name", None) or entry.title})


@require_POST
@login_required
def request_introduction(request, kind, public_id):
    """Ask for an introduction from a data set's page (to one of my demands) or a demand's page."""
    if kind not in KINDS:
        raise Http404
    form = IntroductionForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(_g("Choose the entry to be introduced to."))
    entry = get_object_or_404(KINDS[kind][0], public_id=public_id)
    other_model = DataDemand if kind == "dataset" else DataSet
    other = other_model.objects.filter(public_id=form.cleaned_data["other"]).first()
    if other is None:
        raise Http404
    supply, need = (entry, other) if kind == "dataset" else (other, entry)
    try:
        introductions.request_introduction(request.user, supply, need, form.cleaned_data["message"])
    except ServiceError as exc:
        if exc.code == "forbidden":
            raise PermissionDenied(exc.message) from None
        messages.error(request, exc.message)
    else:
        messages.success(request, _g("Your request was sent. Contacts are shared once the other side accepts."))
    return redirect("catalogue:mine")


@require_POST
@login_required
def answer_introduction(request, public_id):
    intro = get_object_or_404(Introduction, public_id=public_id)
    decision = request.POST.get("decision")
    if decision not in ("accept", "decline"):
        return HttpResponseBadRequest(_g("Unknown decision."))
    try:
        introductions.answer(request.user, intro, accept=decision == "accept")
    except ServiceError as exc:
        if exc.code == "forbidden":
            raise PermissionDenied(exc.message) from None
        messages.error(request, exc.message)
    return redirect("catalogue:mine")


@login_required
@require_safe
def mine(request):
    """The person's entries, introductions (with contacts once accepted) and cases."""
    from ..models import Case

    orgs = OrganizationMember.objects.filter(user=request.user).values("organization_id")
    mine_ids = set(orgs.values_list("organization_id", flat=True))
    intros = list(introductions.introductions_of(request.user)[:100])
    rows = [(intro, introductions.shared_contacts(request.user, intro, mine_ids),
             introductions.answering_organization(intro).pk in mine_ids) for intro in intros]
    return render(request, "partners/catalogue/mine.html", {
        "datasets": DataSet.objects.filter(organization_id__in=orgs).select_related("organization")[:100],
        "demands": DataDemand.objects.filter(organization_id__in=orgs).select_related("organization")[:100],
        "introductions": rows,
        "cases": Case.objects.filter(organization_id__in=orgs).select_related("organization")[:100],
    })


@staff_view("catalogue.moderate")
@require_safe
def moderation(request):
    pending = {kind: model.objects.filter(moderation=Moderation.PENDING).select_related("organization")
               .order_by("created_at")[:100] for kind, (model, _form) in KINDS.items()}
    public = {kind: model.objects.filter(moderation=Moderation.PUBLISHED).select_related("organization")
              .order_by("-published_at")[:50] for kind, (model, _form) in KINDS.items()}
    return render(request, "partners/catalogue/moderation.html", {"pending": pending, "public": public})


@staff_view("catalogue.moderate")
@require_POST
def moderate(request, kind, public_id):
    if kind not in KINDS:
        raise Http404
    entry = get_object_or_404(KINDS[kind][0], public_id=public_id)
    decision = request.POST.get("decision", "")
    try:
        if decision in ("feature", "unfeature"):
            catalogue.feature(request.user, entry, featured=decision == "feature")
        else:
            catalogue.moderate(request.user, entry, decision, request.POST.get("note", "")[:500])
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _g("Saved."))
    return redirect("catalogue:moderation")


