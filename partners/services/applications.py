"""Applicant use cases: create a draft, choose partner types, check completeness, submit, withdraw."""

from django.db import IntegrityError, transaction
from django.db.models import prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _g

from .. import workflow
from ..enums import ApplicationState, Channel, PartnerType, in_type_order
from ..models import PROFILE_MODELS, Application, Attachment, RequestedType, Revision
from ..permissions import can
from .audit import log_event
from .snapshot import snapshot


class ServiceError(Exception):
    """A refused use case; the message is translated and safe to show."""

    def __init__(self, message, code="invalid", field=None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field


def require(verdict):
    if not verdict.allowed:
        raise ServiceError(verdict.reason, code="forbidden")


def open_types_elsewhere(organization, exclude_application=None):
    qs = RequestedType.objects.filter(organization=organization, is_open=True)
    if exclude_application is not None:
        qs = qs.exclude(application=exclude_application)
    return set(qs.values_list("partner_type", flat=True))


def granted_types(organization):
    membership = getattr(organization, "membership", None)
    if membership is None:
        return set()
    return set(membership.grants.filter(ends_on__isnull=True).values_list("partner_type", flat=True))


def create_draft(user, organization, partner_types=(), *, actor=None):
    require(can(user, "application.create", organization))
    from .calls import call_for_new_draft

    with transaction.atomic():
        application = Application.objects.create(organization=organization, created_by=user, call=call_for_new_draft(),
                                                 contact_email=user.email, contact_name=user.display_name,
                                                 contact_phone=user.phone)
        log_event("application.created", actor=actor or user, application=application, to_state="draft",
                  visible_to_applicant=True)
        if partner_types:
            set_partner_types(user, application, partner_types)
    return application


def set_partner_types(user, application, partner_types):
    """Choose the types applied for; refuses a type already open elsewhere or already granted."""
    require(can(user, "application.edit", application))
    if application.state != ApplicationState.DRAFT:
        # Reviewers decide per type; a member who wants another type applies for it alone.
        raise ServiceError(_g("The partner types cannot change after the application was submitted."),
                           code="locked", field="partner_types")
    wanted = list(dict.fromkeys(partner_types))
    unknown = [t for t in wanted if t not in PartnerType.values]
    if unknown:
        raise ServiceError(_g("Unknown partner type: %(t)s.") % {"t": ", ".join(unknown)}, field="partner_types")
    if not wanted:
        raise ServiceError(_g("Choose at least one partner type."), field="partner_types")
    labels = dict(PartnerType.choices)
    busy = open_types_elsewhere(application.organization, application) & set(wanted)
    if busy:
        raise ServiceError(
            _g("Your organisation already has an open application for: %(types)s.")
            % {"types": ", ".join(str(labels[t]) for t in in_type_order(busy))}, code="duplicate", field="partner_types")
    held = granted_types(application.organization) & set(wanted)
    if held:
        raise ServiceError(
            _g("Your organisation is already a member as: %(types)s.")
            % {"types": ", ".join(str(labels[t]) for t in in_type_order(held))}, code="duplicate", field="partner_types")
    try:
        with transaction.atomic():
            application.requested_types.exclude(partner_type__in=wanted).delete()
            existing = set(application.requested_types.values_list("partner_type", flat=True))
            for t in wanted:
                if t not in existing:
                    RequestedType.objects.create(application=application, organization=application.organization,
                                                 partner_type=t)
                PROFILE_MODELS[t].objects.get_or_create(application=application)
    except IntegrityError:
        raise ServiceError(_g("Your organisation already has an open application for one of these types."),
                           code="duplicate", field="partner_types") from None
    return application


def profile_of(application, partner_type):
    model = PROFILE_MODELS[partner_type]
    relation = model._meta.get_field("application").remote_field
    if relation.is_cached(application):  # read with the application (select_related), e.g. under the row lock
        return relation.get_cached_value(application)
    return model.objects.filter(application=application).first()


def completeness_errors(application) -> dict[str, list[str]]:
    """Everything missing before submission, grouped by wizard step (the order of the steps)."""
    errors: dict[str, list[str]] = {}

    def add(step, message):
        errors.setdefault(step, []).append(message)

    org = application.organization
    from .eligibility import eligibility_problem
    from .verification import submission_blocker

    # An application first submitted by a verified organisation may be resubmitted while a change of its identity
    # is verified again (staff see the organisation unverified); a suspended organisation submits nothing.
    blocker = submission_blocker(org)
    if blocker and (application.submitted_at is None or org.verification == "suspended"):
        add("organization", blocker)
    ineligible = eligibility_problem(org)
    if ineligible:
        add("organization", ineligible)
    for field_name, label in (("name", _g("name")), ("credit_code", _g("credit code")),
                              ("legal_representative", _g("legal representative")),
                              ("registered_address", _g("registered address"))):
        if not getattr(org, field_name):
            add("organization", _g("The organisation's %(f)s is required.") % {"f": label})
    if org.district_id is None:
        add("organization", _g("Choose the organisation's district, or 'outside Beijing' with its province."))
    if not (application.contact_name and application.contact_phone and application.contact_email):
        add("organization", _g("A contact person with mobile and e-mail is required."))
    types = application.partner_types
    if not types:
        add("types", _g("Choose at least one partner type."))
    for t in types:
        profile = profile_of(application, t)
        if profile is None or not profile.summary.strip():
            add("profiles", _g("Describe what you offer as %(t)s.") % {"t": PartnerType(t).label})
        if profile is not None:
            for message in _invalid_values(profile):
                add("profiles", f"{PartnerType(t).label}: {message}")
        if t == PartnerType.APPLICATION and profile is not None:
            scenarios = list(profile.scenarios.all())
            if not scenarios:
                add("profiles", _g("Describe at least one scenario you open to model teams."))
            elif any(not (s.title.strip() and s.description.strip()) for s in scenarios):
                add("profiles", _g("Every scenario needs a title and a description."))
    if not application.channel:
        add("channel", _g("Choose how you come to the plan."))
    elif application.channel == Channel.DEPARTMENT_INVITATION and application.invitation_id is None:
        add("channel", _g("Enter the invitation code you received from the department."))
    elif application.channel == Channel.DEPARTMENT_INVITATION and invitation_problem(
            application.invitation, application):
        add("channel", invitation_problem(application.invitation, application))
    elif application.channel == Channel.INDUSTRY_RECOMMENDATION and not (
            application.recommender_name and has_attachment(application, Attachment.Kind.RECOMMENDATION_LETTER)):
        add("channel", _g("Name the recommending organisation and upload its letter."))
    if not has_attachment(application, Attachment.Kind.BUSINESS_LICENCE, kept_only=True):
        add("attachments", _g("Upload the business licence."))
    if not application.declaration_accepted:
        add("review", _g("Tick the declaration to submit."))
    return errors


def attachments_read_with(application):
    """The application's attachments if they were read with it (a prefetch), else None."""
    return getattr(application, "_prefetched_objects_cache", {}).get("attachments")


def has_attachment(application, kind, *, kept_only=False) -> bool:
    """Whether an attachment of this kind is there (`kept_only`: and not purged), from the attachments read with
    the application if they were, else from the database."""
    read = attachments_read_with(application)
    if read is not None:
        return any(a.kind == kind and not (kept_only and a.purged_at is not None) for a in read)
    rows = application.attachments.filter(kind=kind)
    return (rows.filter(purged_at__isnull=True) if kept_only else rows).exists()


def _invalid_values(obj) -> list[str]:
    """Format errors of stored values (a draft may hold what a later rule no longer accepts)."""
    from django.core.exceptions import ValidationError

    try:
        obj.full_clean(exclude=["application"], validate_unique=False)
    except ValidationError as exc:
        return [str(m) for messages in exc.message_dict.values() for m in messages]
    return []


def invitation_problem(invitation, application=None) -> str:
    """Why this invitation code cannot be used by this application, or "" when it can."""
    if invitation is None:
        return _g("This invitation code is not known. Please check it with the inviting department.")
    if application is not None and invitation.used_by_id == application.pk:
        return ""  # accepted at the first submission; a later expiry does not block a resubmission
    if invitation.expires_on and invitation.expires_on < timezone.localdate():
        return _g("This invitation code expired on %(d)s.") % {"d": invitation.expires_on.isoformat()}
    if invitation.used_by_id and (application is None or invitation.used_by_id != application.pk):
        return _g("This invitation code was already used by another application.")
    return ""


def _freeze(application, user):
    number = application.revisions.count() + 1
    return Revision.objects.create(application=application, number=number, snapshot=snapshot(application),
                                   created_by=user)


@workflow.check("submit")
@workflow.check("resubmit")
def _check_complete(application, actor, inputs):
    from .calls import call_for_submission, missing_documents_message

    call = application.call
    # The completeness check, the call's documents and the revision's snapshot each look at the attachments: read
    # them once, under the row lock (an upload locks the application too). The recorder drops them afterwards.
    prefetch_related_objects([application], "attachments")
    if application.state == ApplicationState.DRAFT:
        # Drafts may be prepared while no call is open; they are submitted when one opens.
        try:
            call = call_for_submission(application)
        except ServiceError as closed:
            raise workflow.TransitionError(closed.message, code="call_closed") from None
        application.__dict__["_submission_call"] = call  # the effect below submits to it, without asking again
    errors = completeness_errors(application)
    if errors:
        first = next(iter(errors.values()))[0]
        err = workflow.TransitionError(first, code="incomplete")
        err.errors = errors
        raise err
    missing = missing_documents_message(application, call) if call is not None else ""
    if missing:
        raise workflow.TransitionError(missing, code="documents_missing")


@workflow.effect("submit")
def _on_submit(application, actor, inputs):
    from .calls import allocate_receipt_number, call_for_submission

    application.submitted_at = timezone.now()
    application.call = application.__dict__.pop("_submission_call", None) or call_for_submission(application)
    if not application.receipt_number:
        application.receipt_number = allocate_receipt_number(application.submitted_at)
    if application.invitation_id:
        application.invitation.used_by = application
        application.invitation.save(update_fields=["used_by"])
    revision = _freeze(application, actor.user)
    return {"revision": revision.number, "receipt_number": application.receipt_number}


@workflow.effect("resubmit")
def _on_resubmit(application, actor, inputs):
    revision = _freeze(application, actor.user)
    return {"revision": revision.number}


@workflow.effect("withdraw")
def _on_withdraw(application, actor, inputs):
    application.requested_types.update(is_open=False)
    return {"reason": inputs.get("reason", "")}


def submit(user, application, expected_state=None, **kw):
    return workflow.fire(application.pk, "submit", workflow.Actor(user=user, **kw), expected_state=expected_state)


def withdraw(user, application, reason="", expected_state=None, **kw):
    return workflow.fire(application.pk, "withdraw", workflow.Actor(user=user, **kw), reason=(reason or "")[:1000],
                         expected_state=expected_state)


def resubmit(user, application, expected_state=None, **kw):
    return workflow.fire(application.pk, "resubmit", workflow.Actor(user=user, **kw),
                         expected_state=expected_state)


def fire_action(user, application, action, **inputs):
    """Fire any workflow action for a person (the portal's action buttons post here); inputs incl. expected_state."""
    return workflow.fire(application.pk, action, workflow.Actor(user=user), **inputs)


def save_section(user, application, section, save, resume_at=None):
    """Save one step of the form: `save(locked_application)` runs under the row lock, after the edit check.

    The state is re-checked under the lock, so a step saved in another tab after submission is refused.
    `resume_at` is the step number the applicant comes back to next time.
    """
    with transaction.atomic():
        locked = Application.objects.select_for_update().select_related("organization").get(pk=application.pk)
        require(can(user, "application.edit", locked))
        result = save(locked)
        if resume_at:
            Application.objects.filter(pk=locked.pk).update(wizard_step=resume_at)
        log_event("application.draft_saved", actor=user, application=locked, data={"section": section})
    return result


def open_states():
    return ApplicationState.open_states()
