"""The application form, one page per step; every step saves as a draft, submit validates everything."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from .. import workflow
from ..enums import (
    ApplicationState,
    Channel,
    ComputeService,
    DataRole,
    FundType,
    InvestmentStage,
    Modality,
    PartnerType,
)
from ..forms.application import ChannelForm, ContactForm, DeclarationForm, TypesForm
from ..forms.attachments import AttachmentForm
from ..forms.organization import OrganizationForm
from ..forms.profiles import PROFILE_FORMS, ScenarioFormSet
from ..models import PROFILE_MODELS, Attachment
from ..permissions import can
from ..services import applications as app_services
from ..services import organizations as org_services
from ..services import uploads
from ..services.applications import ServiceError
from .portal import STATUS_OF_CODE, get_my_application, redirect_to_first_error, refuse

STEPS = [
    ("organization", _("Organisation")),
    ("types", _("Partner types")),
    ("profiles", _("What you offer")),
    ("channel", _("Channel")),
    ("attachments", _("Attachments")),
    ("review", _("Review and submit")),
]
STEP_KEYS = [key for key, _label in STEPS]


def too_large_message():
    from django.template.defaultfilters import filesizeformat

    return _g("The file is larger than %(max)s, the most allowed.") % {"max": filesizeformat(uploads.max_bytes())}


@csrf_exempt
def step(request, pk, step):
    # Our size-limit handler must be installed before the body is read, which the CSRF check would do.
    try:
        request.upload_handlers.insert(0, uploads.SizeLimitUploadHandler(request))
    except AttributeError:
        pass  # the body was already read by a middleware; the upload service still refuses large files
    return _step(request, pk, step)


@csrf_protect
@login_required
def _step(request, pk, step):
    if step not in STEP_KEYS:
        raise Http404
    application = get_my_application(request.user, pk)
    verdict = can(request.user, "application.edit", application)
    if not verdict:
        if request.method == "POST":
            return refuse(request, application, verdict.reason, status=409)
        messages.info(request, verdict.reason)
        return redirect("portal:application", pk=application.pk)
    handler = HANDLERS[step]
    ctx = handler(request, application)
    if not isinstance(ctx, dict):
        return ctx  # a redirect after a successful save
    index = STEP_KEYS.index(step)
    from ..forms.required import mark_all

    mark_all(ctx)
    errors = app_services.completeness_errors(application) if step == "review" else {}
    ctx.update({
        "application": application, "steps": STEPS, "step": step, "step_label": STEPS[index][1],
        "step_number": index + 1, "previous_step": STEP_KEYS[index - 1] if index else None,
        "next_step": STEP_KEYS[index + 1] if index + 1 < len(STEPS) else None, "completeness": errors,
        "standing": standing_notices(application, request.user),
    })
    if step == "review":
        from ..services.checklist import submit_checklist

        ctx["checklist"] = submit_checklist(application, errors)
    status = ctx.pop("status", 200)
    ctx["has_errors"] = status >= 400
    return render(request, f"partners/portal/wizard/{step}.html", ctx, status=status)


def standing_notices(application, user) -> list[dict]:
    """What the applicant should know before filling the six steps: the organisation's verification, whether the
    plan admits it by where its code was issued, and a code/location disagreement (a warning, never silence)."""
    from ..services.eligibility import location_check, notice
    from ..services.verification import submission_blocker

    organization = application.organization
    notices = []
    blocker = submission_blocker(organization)
    if blocker:
        case = organization.verification_cases.filter(state__in=["draft", "pending", "recommended"],
                                                      claimant=user).first()
        notices.append({"level": "warning", "text": blocker, "case": case})
    eligibility = notice(organization)
    if eligibility:
        notices.append({"level": "info", "text": eligibility})
    check = location_check(organization)
    if not check.matches:
        notices.append({"level": "warning", "text": check.explanation})
    return notices


def _after_save(request, application, step):
    """"Save draft" stays on the page; "save and continue" goes to the next step."""
    messages.success(request, _g("Saved. You can come back to this draft at any time."))
    index = STEP_KEYS.index(step)
    if "next" in request.POST and index + 1 < len(STEPS):
        return redirect("portal:step", pk=application.pk, step=STEP_KEYS[index + 1])
    return redirect("portal:step", pk=application.pk, step=step)


def _resume(request, step):
    """The step to come back to: this one after "save draft", the next after "save and continue"."""
    index = STEP_KEYS.index(step) + 1
    return min(index + 1, len(STEPS)) if "next" in request.POST else index


def _copy(form, target, fields):
    for name in fields:
        setattr(target, name, form.cleaned_data[name])
    target.save(update_fields=[*fields, "updated_at"])


def organization_step(request, application):
    data = request.POST if request.method == "POST" else None
    org_form = OrganizationForm(data, instance=application.organization, prefix="org")
    contact_form = ContactForm(data, instance=application, prefix="contact")
    if data is not None and org_form.is_valid() and contact_form.is_valid():
        def save(locked):
            org_services.update_organization(request.user, locked.organization, lambda _org: org_form.save())
            _copy(contact_form, locked, ContactForm.Meta.fields)

        try:
            app_services.save_section(request.user, application, "organization", save,
                                      resume_at=_resume(request, "organization"))
        except ServiceError as exc:
            return refuse(request, application, exc.message, status=STATUS_OF_CODE.get(exc.code, 400))
        return _after_save(request, application, "organization")
    return {"org_form": org_form, "contact_form": contact_form,
            "status": 400 if (org_form.errors or contact_form.errors) else 200}


def types_step(request, application):
    locked = application.state != ApplicationState.DRAFT
    current = application.partner_types
    form = TypesForm(request.POST if request.method == "POST" else None, initial={"partner_types": current})
    if request.method == "POST" and not locked and form.is_valid():
        chosen = form.cleaned_data["partner_types"]
        if not chosen and not current:
            return _after_save(request, application, "types")  # nothing chosen yet: a draft may stay so
        try:
            app_services.save_section(request.user, application, "types",
                                      lambda app: app_services.set_partner_types(request.user, app, chosen),
                                      resume_at=_resume(request, "types"))
        except ServiceError as exc:
            form.add_error("partner_types", exc.message)
        else:
            return _after_save(request, application, "types")
    elif request.method == "POST" and locked:
        return refuse(request, application,
                      _g("The partner types cannot change after the application was submitted."), status=409)
    busy = app_services.open_types_elsewhere(application.organization, application)
    held = app_services.granted_types(application.organization)
    return {"form": form, "locked": locked, "busy": busy, "held": held,
            "type_labels": dict(PartnerType.choices), "status": 400 if form.errors else 200}


def _profile_forms(request, application):
    data = request.POST if request.method == "POST" else None
    sections = []
    for t in application.partner_types:
        profile, _created = PROFILE_MODELS[t].objects.get_or_create(application=application)
        form = PROFILE_FORMS[t](data, instance=profile, prefix=t)
        formset = ScenarioFormSet(data, instance=profile, prefix="scenarios") if t == PartnerType.APPLICATION \
            else None
        sections.append({"type": t, "label": PartnerType(t).label, "form": form, "formset": formset})
    return sections


def _with_one_more_scenario(data):
    """The posted data with room for one more scenario: the round trip of "add a scenario" without JavaScript."""
    from ..forms.profiles import MAX_SCENARIOS

    data = data.copy()
    try:
        total = int(data.get("scenarios-TOTAL_FORMS", "0"))
    except ValueError:
        total = 0
    data["scenarios-TOTAL_FORMS"] = str(max(0, min(total + 1, MAX_SCENARIOS)))
    return data


def profiles_step(request, application):
    if request.method == "POST" and "add_scenario" in request.POST:
        # Nothing is saved: the page comes back with what was typed and one more empty scenario.
        request.POST = _with_one_more_scenario(request.POST)
        sections = _profile_forms(request, application)
        for s in sections:
            if s["formset"] is not None:
                s["formset"].is_valid()  # shows problems of the rows typed so far, as a save would
        return {"sections": sections, "status": 200}
    sections = _profile_forms(request, application)
    if request.method == "POST" and sections:
        valid = all([s["form"].is_valid() and (s["formset"] is None or s["formset"].is_valid()) for s in sections])
        if valid:
            def save(locked):
                for s in sections:
                    s["form"].save()
                    if s["formset"] is not None:
                        s["formset"].save()

            app_services.save_section(request.user, application, "profiles", save,
                                      resume_at=_resume(request, "profiles"))
            return _after_save(request, application, "profiles")
        return {"sections": sections, "status": 400}
    return {"sections": sections}


def channel_step(request, application):
    initial = {"channel": application.channel, "recommender_name": application.recommender_name,
               "invitation_code": application.invitation.code if application.invitation_id else ""}
    if request.method != "POST":
        form = ChannelForm(initial=initial, application=application)
    else:
        form = ChannelForm(request.POST, request.FILES, initial=initial, application=application)
        valid = form.is_valid()
        if getattr(request, "upload_too_large", False):
            form.add_error("letter", too_large_message())
            valid = False
        if valid:
            try:
                app_services.save_section(request.user, application, "channel", form.apply,
                                          resume_at=_resume(request, "channel"))
                if form.cleaned_data.get("letter"):
                    uploads.add_attachment(request.user, application, form.cleaned_data["letter"],
                                           kind=Attachment.Kind.RECOMMENDATION_LETTER)
            except ServiceError as exc:
                form.add_error(None, exc.message)
            else:
                return _after_save(request, application, "channel")
    letters = application.attachments.filter(kind=Attachment.Kind.RECOMMENDATION_LETTER, purged_at__isnull=True)
    return {"form": form, "letters": letters, "status": 400 if form.errors else 200}


def attachments_step(request, application):
    if request.method != "POST":
        form = AttachmentForm()
    else:
        form = AttachmentForm(request.POST, request.FILES)
        valid = form.is_valid()
        if getattr(request, "upload_too_large", False):
            form.errors["file"] = form.error_class([too_large_message()])
            valid = False
        if valid:
            try:
                uploads.add_attachment(request.user, application, form.cleaned_data["file"],
                                       kind=form.cleaned_data["kind"])
            except ServiceError as exc:
                form.add_error("file" if exc.field == "file" else None, exc.message)
            else:
                messages.success(request, _g("The file was uploaded."))
                return redirect("portal:step", pk=application.pk, step="attachments")
    attachments = application.attachments.filter(purged_at__isnull=True)
    return {"form": form, "attachments": attachments, "max_attachments": uploads.MAX_ATTACHMENTS,
            "status": 400 if form.errors else 200}


def review_step(request, application):
    form = DeclarationForm(request.POST if request.method == "POST" else None,
                           initial={"declaration": application.declaration_accepted,
                                    "expected_state": application.state})
    if request.method == "POST" and form.is_valid() and "submit" in request.POST \
            and not form.cleaned_data["declaration"]:
        form.add_error("declaration", _g("Tick the declaration to submit."))
    elif request.method == "POST" and form.is_valid():
        accepted = form.cleaned_data["declaration"]

        def save(locked):
            locked.declaration_accepted = accepted
            locked.save(update_fields=["declaration_accepted", "updated_at"])

        try:
            app_services.save_section(request.user, application, "review", save)
        except ServiceError as exc:
            return refuse(request, application, exc.message, status=STATUS_OF_CODE.get(exc.code, 409))
        if "submit" not in request.POST:
            return _after_save(request, application, "review")
        action = "resubmit" if application.state == ApplicationState.CHANGES_REQUESTED else "submit"
        try:
            application = app_services.fire_action(request.user, application, action,
                                                   expected_state=form.cleaned_data["expected_state"])
        except workflow.TransitionError as exc:
            if getattr(exc, "errors", None):
                return redirect_to_first_error(request, application, exc.errors)
            return refuse(request, application, exc.message, status=STATUS_OF_CODE.get(exc.code, 409))
        if action == "submit" and application.receipt_number:
            messages.success(request, _g("Thank you. Your application was submitted with the receipt number "
                                         "%(number)s; you will hear from us.") % {"number": application.receipt_number})
        else:
            messages.success(request, _g("Thank you. Your application was submitted; you will hear from us."))
        return redirect("portal:application", pk=application.pk)
    application.refresh_from_db()
    return {"form": form, "status": 400 if form.errors else 200, "call_notice": call_notice(application),
            **review_data(application)}


def call_notice(application) -> str:
    """For a draft outside an open call: when the next call opens (the draft may still be prepared)."""
    if application.state != ApplicationState.DRAFT:
        return ""
    from ..services.calls import call_for_submission

    try:
        call_for_submission(application)
    except ServiceError as closed:
        return closed.message
    return ""


LIST_ENUMS = {"services": ComputeService, "roles": DataRole, "modalities": Modality, "stages": InvestmentStage,
              "fund_type": FundType}


def rows(obj, names):
    """(label, value) pairs for the review page; codes are shown as their translated labels."""
    out = []
    for name in names:
        field = obj._meta.get_field(name)
        value = getattr(obj, name)
        if field.many_to_many:
            value = ", ".join(str(item) for item in value.all())
        elif name in LIST_ENUMS:
            labels = dict(LIST_ENUMS[name].choices)
            items = value if isinstance(value, list) else [value] if value else []
            value = ", ".join(str(labels.get(v, v)) for v in items)
        elif field.choices:
            value = getattr(obj, f"get_{name}_display")()
        elif isinstance(value, bool):
            value = _g("Yes") if value else _g("No")
        out.append((field.verbose_name, value))
    return out


def review_data(application):
    profiles = []
    for t in application.partner_types:
        profile = app_services.profile_of(application, t)
        if profile is None:
            continue
        profiles.append({
            "label": PartnerType(t).label,
            "rows": rows(profile, PROFILE_FORMS[t].Meta.fields),
            "scenarios": list(profile.scenarios.all()) if t == PartnerType.APPLICATION else None,
        })
    channel_rows = [(_("Channel"), application.get_channel_display())]
    if application.channel == Channel.DEPARTMENT_INVITATION:
        channel_rows.append((_("Invitation code"), application.invitation.code if application.invitation else ""))
    if application.channel == Channel.INDUSTRY_RECOMMENDATION:
        channel_rows.append((_("Recommending organisation"), application.recommender_name))
    return {
        "org_rows": rows(application.organization, ["credit_code", *OrganizationForm.Meta.fields]),
        "contact_rows": rows(application, ContactForm.Meta.fields),
        "profiles": profiles,
        "channel_rows": channel_rows,
        "attachments": application.attachments.filter(purged_at__isnull=True),
    }


HANDLERS = {
    "organization": organization_step,
    "types": types_step,
    "profiles": profiles_step,
    "channel": channel_step,
    "attachments": attachments_step,
    "review": review_step,
}
