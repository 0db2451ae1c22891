"""The staff queue: filters, search, sorting, counts per state, bulk assignment and the Excel export."""

from collections import defaultdict
from urllib.parse import urlencode

from django.contrib import messages
from django.db import connection
from django.db.models import OuterRef
from django.http import StreamingHttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format, number_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _g
from django.views.decorators.http import require_POST

from ..enums import PartnerType, in_type_order
from ..forms.review import BulkAssignForm, QueueFilterForm
from ..models import Application, RequestedType
from ..permissions import can
from ..services import cache as response_cache
from ..services import export as export_services
from ..services import review as review_services
from ..services.applications import ServiceError
from .review_common import paginate, staff_view

# What a row of the queue shows, read as plain values: model instances, their related objects and a display
# method per cell cost more than the page's query (50 rows, about a third of the page's time).
ROW_FIELDS = ("pk", "organization__name", "organization__credit_code", "organization__district__name_zh",
              "organization__district__name_en", "channel", "state", "submitted_at",
              "assigned_reviewer__display_name", "assigned_reviewer__email")


class QueueRow(dict):
    """One row of the queue: its cells by name, read by the template as a dictionary (its fastest lookup) and by
    code as attributes (row.pk, row.name)."""

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


def queue_values(qs):
    """The queue's rows as values; on PostgreSQL each with its requested types (an array read by the page's own
    query, for its rows only: the planner evaluates it after the LIMIT)."""
    if connection.vendor != "postgresql":
        return qs.values(*ROW_FIELDS)
    from django.contrib.postgres.expressions import ArraySubquery

    types = RequestedType.objects.filter(application_id=OuterRef("pk")).order_by().values("partner_type")
    return qs.annotate(requested=ArraySubquery(types)).values(*ROW_FIELDS, "requested")


def queue_rows(values):
    """The page's rows as the template shows them: each label, date and link worked out once here (the
    requested types with the rows, or for the whole page in one query), the same text the model's display
    methods give."""
    values = list(values)
    types = defaultdict(list)
    if values and "requested" in values[0]:
        types.update((v["pk"], v["requested"]) for v in values)
    else:
        for application_id, partner_type in (RequestedType.objects.filter(
                application_id__in=[v["pk"] for v in values]).values_list("application_id", "partner_type")):
            types[application_id].append(partner_type)
    english = (translation.get_language() or "").startswith("en")
    type_labels = {code: str(label) for code, label in PartnerType.choices}
    channel_labels = {code: str(label) for code, label in Application._meta.get_field("channel").flatchoices}
    state_labels = {code: str(label) for code, label in Application._meta.get_field("state").flatchoices}
    # The link of every row from one reverse(): the primary key is the path's only part that changes.
    marker = 987654321
    link = reverse("review:detail", args=[marker]).split(str(marker))
    rows = []
    for v in values:
        district = v["organization__district__name_en" if english else "organization__district__name_zh"]
        submitted = v["submitted_at"]
        rows.append(QueueRow({
            # The number as `{{ pk }}` prints it (no thousands separator), written once instead of three times.
            "pk": v["pk"], "number": str(v["pk"]), "link": f"{link[0]}{v['pk']}{link[1]}", "name": v["organization__name"],
            "credit_code": v["organization__credit_code"], "district": district or "",
            "types": ", ".join(type_labels[t] for t in in_type_order(types[v["pk"]])),
            "channel": channel_labels.get(v["channel"], v["channel"]),
            "state": state_labels.get(v["state"], v["state"]),
            "submitted": date_format(timezone.localtime(submitted), "Y-m-d") if submitted else "",
            # User.__str__: the display name, else the e-mail address.
            "reviewer": v["assigned_reviewer__display_name"] or v["assigned_reviewer__email"] or "—",
        }))
    return rows


def _filter_form(data):
    # Only the filter's own keys: a page number or a CSRF token must not make the form "bound" with junk.
    keys = QueueFilterForm.FILTER_FIELDS
    return QueueFilterForm({k: data.get(k) for k in keys if data.get(k) not in (None, "")})


@staff_view("queue.view")
def queue(request):
    form = _filter_form(request.GET)
    # "Overdue" moves with the clock, not with the rows: nothing about it is kept.
    moves_with_clock = form.is_valid() and form.cleaned_data.get("overdue")
    can_assign = bool(can(request.user, "application.assign"))
    can_export = bool(can(request.user, "application.export"))
    language = translation.get_language()
    # Each state is counted up to COUNT_CAP (one query); the answer is kept per filter and person until an
    # application, requested type or organisation changes (partners/services/cache.py).
    if moves_with_clock:
        counts = form.counts_per_state(request.user)
    else:
        counts = response_cache.cached_value(response_cache.QUEUE,
                                             f"state-counts|{request.user.pk}|{form.querystring()}",
                                             lambda: form.counts_per_state(request.user))
    selected_state = form.cleaned_data.get("state") if form.is_valid() else ""
    # A capped total is a lower bound ("more than N"): the pages stop at it. The bulk assignment and the export
    # filter the table again and act on every matching row.
    total, capped = counts.total(selected_state)

    def results():
        page = paginate(request, queue_values(form.filter(request.user)), count=total)
        page.object_list = queue_rows(page.object_list)
        return render_to_string("partners/review/_queue_results.html", {
            "form": form, "page": page, "counts": counts.counts, "capped_states": counts.capped, "total": total,
            "capped": capped, "cap_display": number_format(counts.cap, force_grouping=True),
            "total_display": number_format(total, force_grouping=True), "querystring": form.querystring(),
            "assign_form": BulkAssignForm() if can_assign else None, "can_assign": can_assign,
            "can_export": can_export, "csrf_placeholder": response_cache.CSRF_PLACEHOLDER,
        })

    # The rendered results (filter, rows, assignment form, pages) are kept like the counts, per person, rights,
    # language and exact query string; a filter with errors is shown fresh.
    if moves_with_clock or (form.is_bound and not form.is_valid()):
        html = results()
    else:
        query = urlencode(sorted(request.GET.items()))
        html = response_cache.cached_value(
            response_cache.QUEUE, f"results|{request.user.pk}|{can_assign}|{can_export}|{language}|{query}", results)
    html = html.replace(response_cache.CSRF_PLACEHOLDER, get_token(request))
    return render(request, "partners/review/queue.html", {"results": mark_safe(html)})  # noqa: S308 (our own HTML)


@require_POST
@staff_view("application.assign")
def bulk_assign(request):
    """Assign every application the filter matches (or only the ticked ones), not just the visible page."""
    filter_form = _filter_form(request.POST)
    form = BulkAssignForm(request.POST)
    back = reverse("review:queue") + (f"?{filter_form.querystring()}" if filter_form.querystring() else "")
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    qs = filter_form.filter(request.user)
    if form.cleaned_data["scope"] == "selected":
        qs = qs.filter(pk__in=form.cleaned_data["ids"])
    # (application, partner type) is unique, so the type filter's join never repeats an application.
    ids = list(qs.order_by().values_list("pk", flat=True))
    reviewer = form.cleaned_data["reviewer"]
    try:
        changed = review_services.assign(request.user, ids, reviewer)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect(back)
    if reviewer is None:
        messages.success(request, _g("%(n)d of %(total)d applications unassigned.") % {"n": changed,
                                                                                      "total": len(ids)})
    else:
        messages.success(request, _g("%(n)d of %(total)d applications assigned to %(who)s.")
                         % {"n": changed, "total": len(ids), "who": reviewer})
    return redirect(back)


@staff_view("application.export")
def export(request):
    """The filtered queue as an Excel workbook, streamed while it is written, in bounded memory."""
    form = _filter_form(request.GET)
    qs = form.filter(request.user)
    response = StreamingHttpResponse(
        export_services.stream_xlsx(qs),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="applications-{stamp}.xlsx"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
