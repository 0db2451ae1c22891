"""Portal pages of organisation verification: the claimant's case (names, documents, the template letter,
send for verification) and the dispute of a verified organisation's owner."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from ..enums import VerificationKind
from ..models import VerificationCase, VerificationDocument
from ..services import organizations as org_services
from ..services import verification as verification_services
from ..services.applications import ServiceError
from ..services.authorisation_letter import authorisation_letter_pdf
from ..workflow import TransitionError, available_actions
from .process_documents import ProcessDocuments

STATUS = {"forbidden": 403, "conflict": 409, "duplicate": 409, "not_found": 404, "invalid_transition": 409}


class DetailsForm(forms.Form):
    legal_representative = forms.CharField(label=_("Legal representative (as on the business licence)"),
                                           max_length=50, required=False)
    position = forms.CharField(label=_("Your position in the organisation"), max_length=50, required=False)
    statement = forms.CharField(label=_("Why the current owner is wrong"), max_length=2000, required=False,
                                widget=forms.Textarea(attrs={"rows": 4}))


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Document"), choices=VerificationDocument.Kind.choices)
    file = forms.FileField(label=_("File (PDF, JPEG or PNG)"))


class DisputeForm(forms.Form):
    credit_code = forms.CharField(label=_("Unified social credit code"), max_length=40)
    statement = forms.CharField(label=_("Why the current owner is wrong"), max_length=2000,
                                widget=forms.Textarea(attrs={"rows": 4}))


def my_case(user, pk):
    """The person's own case; any other answers 404 (whether it exists is not told)."""
    return get_object_or_404(VerificationCase.objects.select_related("organization"), pk=pk, claimant=user)


def _context(request, case, **extra):
    details = DetailsForm(initial={"legal_representative": case.legal_representative, "position": case.position,
                                   "statement": case.statement})
    if case.kind != VerificationKind.DISPUTE:
        del details.fields["statement"]
    ctx = {"case": case, "organization": case.organization, "details_form": details,
           "document_form": DocumentForm(), "documents": case.documents.all(),
           "missing": verification_services.missing(case) if case.state == "draft" else [],
           "actions": available_actions(case, request.user)}
    ctx.update(extra)
    return ctx


@login_required
def case_detail(request, pk):
    case = my_case(request.user, pk)
    if request.method == "POST":
        form = DetailsForm(request.POST)
        if form.is_valid():
            try:
                verification_services.update_details(
                    request.user, case, legal_representative=form.cleaned_data["legal_representative"],
                    position=form.cleaned_data["position"],
                    statement=form.cleaned_data["statement"] if case.kind == VerificationKind.DISPUTE else None)
            except ServiceError as exc:
                messages.error(request, exc.message)
                return render(request, "partners/portal/verification.html", _context(request, case),
                              status=STATUS.get(exc.code, 400))
            messages.success(request, _g("Saved."))
            return redirect("portal:verification", pk=case.pk)
        return render(request, "partners/portal/verification.html", _context(request, case, details_form=form),
                      status=400)
    return render(request, "partners/portal/verification.html", _context(request, case))


DOCUMENTS = ProcessDocuments(
    owned=my_case, document_model=VerificationDocument, owner_field="case", form_class=DocumentForm,
    add_document=verification_services.add_document, delete_document=verification_services.delete_document,
    page="portal:verification", template="partners/portal/verification.html", context=_context)
document_add, document_download, document_delete = DOCUMENTS.views()


@login_required
def letter(request, pk):
    """The template authorisation letter, filled in, as a PDF to print, seal and upload."""
    case = my_case(request.user, pk)
    pdf = authorisation_letter_pdf(organization=case.organization.name, credit_code=case.organization.credit_code,
                                   claimant=request.user.display_name or request.user.email, position=case.position,
                                   legal_representative=case.legal_representative)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="authorisation-letter-{case.pk}.pdf"'
    return response


@login_required
@require_POST
def case_action(request, pk, action):
    case = my_case(request.user, pk)
    try:
        verification_services.fire(request.user, case, action, expected_state=request.POST.get("expected_state"))
    except TransitionError as exc:
        messages.error(request, exc.message)
        case.refresh_from_db()
        return render(request, "partners/portal/verification.html", _context(request, case),
                      status=STATUS.get(exc.code, 400))
    if action == "submit":
        messages.success(request, _g("Sent for verification. The plan office checks the documents and tells you "
                                     "of its decision."))
    else:
        messages.success(request, _g("Done."))
    return redirect("portal:verification", pk=case.pk)


@login_required
def dispute(request):
    """Someone who says the owner of a verified organisation is wrong opens a dispute for staff to resolve."""
    form = DisputeForm(request.POST or None, initial={"credit_code": request.GET.get("code", "")[:40]})
    if request.method == "POST" and form.is_valid():
        organization = org_services.find_by_credit_code(form.cleaned_data["credit_code"])
        if organization is None:
            form.add_error("credit_code", _g("No organisation with this credit code is registered."))
        else:
            try:
                case = verification_services.open_dispute(request.user, organization,
                                                          statement=form.cleaned_data["statement"])
            except ServiceError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _g("Your dispute is opened. Add the documents that prove you may act for "
                                             "the organisation, then send it to the plan office."))
                return redirect("portal:verification", pk=case.pk)
    return render(request, "partners/portal/dispute.html", {"form": form}, status=400 if form.errors else 200)


def cases_of(user):
    return VerificationCase.objects.filter(claimant=user).select_related("organization").order_by("-created_at")
