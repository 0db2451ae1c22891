"""The expert's pages: assigned applications, the conflict-of-interest declaration, scoring and the panel's view.

An expert sees only their own assignments (404 for any other), nothing of an application before declaring no
conflict, never staff notes, and the other experts' scores only after submitting their own.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _g
from django.views.decorators.http import require_GET, require_POST

from .. import workflow
from ..enums import ExpertAssignmentState as E
from ..models import ExpertAssignment
from ..services import panel as panel_services
from ..services.applications import ServiceError
from .documents import application_pdf, pdf_response
from .review_common import staff_view

STATUS_OF = {"conflict": 409, "forbidden": 403, "conflict_of_interest": 403, "incomplete": 400, "required": 400,
             "invalid_transition": 409}


def _mine(request, pk):
    return get_object_or_404(ExpertAssignment.objects.select_related("application", "application__organization",
                                                                     "application__call"),
                             pk=pk, expert=request.user)


@require_GET
@staff_view("panel.work")
def home(request):
    assignments = panel_services.my_assignments(request.user).order_by("state", "assigned_at")
    return render(request, "partners/panel/home.html", {"assignments": assignments})


def _scoring_context(assignment):
    application = assignment.application
    from .portal_wizard import review_data

    own = {s.criterion_id: s.score for s in assignment.scores.all()}
    rubrics = [{"rubric": r, "criteria": [{"criterion": c, "score": own.get(c.pk),
                                           "choices": range(r.scale_min, r.scale_max + 1)}
                                          for c in r.criteria.all()]}
               for r in panel_services.rubrics_of(application)]
    return {**review_data(application), "rubrics": rubrics}


@require_GET
@staff_view("panel.work")
def assignment_detail(request, pk):
    return _assignment_page(request, pk)


def _assignment_page(request, pk, status=200):
    assignment = _mine(request, pk)
    context = {"assignment": assignment, "application": assignment.application}
    if assignment.state in (E.SCORING, E.SUBMITTED):
        context.update(_scoring_context(assignment))
    if assignment.state == E.SUBMITTED:
        context["panel"] = panel_services.aggregate(assignment.application)
        context["comments"] = panel_services.comments(assignment.application)
    context["actions"] = workflow.available_actions(assignment, request.user)
    return render(request, "partners/panel/assignment.html", context, status=status)


@require_POST
@staff_view("panel.work")
def declare(request, pk):
    assignment = _mine(request, pk)
    choice = request.POST.get("declaration", "")
    reason = (request.POST.get("reason") or "").strip()
    if choice not in ("none", "conflict"):
        messages.error(request, _g("Choose whether you have a conflict of interest."))
        return _assignment_page(request, pk, status=400)
    action = "declare_none" if choice == "none" else "declare_conflict"
    try:
        panel_services.fire(request.user, assignment, action, reason=reason,
                            expected_state=request.POST.get("expected_state") or None)
    except workflow.TransitionError as exc:
        messages.error(request, exc.message)
        return _assignment_page(request, pk, status=STATUS_OF.get(exc.code, 400))
    if action == "declare_conflict":
        messages.success(request, _g("Your conflict of interest is recorded; the plan office assigns another expert."))
        return redirect("panel:home")
    return redirect("panel:assignment", pk=pk)


@require_POST
@staff_view("panel.work")
def scores(request, pk):
    assignment = _mine(request, pk)
    values = {key.removeprefix("score-"): value for key, value in request.POST.items()
              if key.startswith("score-") and value != ""}
    try:
        panel_services.save_scores(request.user, assignment, values, request.POST.get("comment", ""))
        if "submit" in request.POST:
            panel_services.fire(request.user, assignment, "submit_scores")
    except ServiceError as exc:
        messages.error(request, exc.message)
        return _assignment_page(request, pk, status=STATUS_OF.get(exc.code, 400))
    except workflow.TransitionError as exc:
        messages.error(request, exc.message)
        return _assignment_page(request, pk, status=STATUS_OF.get(exc.code, 400))
    messages.success(request, _g("Your scores were submitted.") if "submit" in request.POST
                     else _g("Your draft scores were saved."))
    return redirect("panel:assignment", pk=pk)


@require_GET
@staff_view("panel.work")
def application_document(request, pk):
    assignment = _mine(request, pk)
    if assignment.state not in (E.SCORING, E.SUBMITTED):
        raise Http404  # nothing of the application before the declaration, nothing after a conflict
    return pdf_response(application_pdf(assignment.application), f"application-{assignment.application_id}.pdf")
