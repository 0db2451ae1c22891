"""Organisation verification use cases: open a claim or a dispute, upload its documents, and the effects of
the verification process's transitions (fired through the workflow engine)."""


from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _g

from ..enums import OrgRole, OrgVerification, VerificationKind, VerificationState
from ..models import OrganizationMember, VerificationCase, VerificationDocument
from ..permissions import can
from ..workflow import engine
from ..workflow.verification import PROCESS
from .applications import ServiceError, require
from .audit import log_event
from .uploads import checked_with_digest, clean_name

MAX_DOCUMENTS = 10
REQUIRED_DOCUMENTS = (VerificationDocument.Kind.BUSINESS_LICENCE, VerificationDocument.Kind.AUTHORISATION_LETTER)
TEXT_LIMIT = 2000


def four_eyes() -> bool:
    return bool(getattr(settings, "VERIFICATION_FOUR_EYES", True))


def _short(value, label, limit, *, required=False):
    value = (value or "").strip()
    if required and not value:
        raise ServiceError(_g("Enter %(what)s.") % {"what": label})
    if len(value) > limit:
        raise ServiceError(_g("%(what)s can have at most %(n)d characters.") % {"what": label, "n": limit})
    return value


def open_case(user, organization, *, kind=VerificationKind.CLAIM, legal_representative="", position="",
              statement=""):
    """Open a claim (or dispute) in draft; the claimant adds documents, then sends it for verification."""
    legal_representative = _short(legal_representative, _g("the legal representative"), 50)
    position = _short(position, _g("your position"), 50)
    statement = _short(statement, _g("the statement"), TEXT_LIMIT)
    existing = open_case_of(user, organization)
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            case = VerificationCase.objects.create(
                organization=organization, claimant=user, kind=kind, legal_representative=legal_representative,
                position=position, statement=statement, state_changed_at=timezone.now())
            log_event("verification.opened", actor=user, organization=organization, to_state=VerificationState.DRAFT,
                      data={"case": case.pk, "kind": kind}, visible_to_applicant=True)
    except IntegrityError:
        # A double click: the other request opened it a moment earlier.
        return open_case_of(user, organization)
    return case


def open_case_of(user, organization):
    return VerificationCase.objects.filter(organization=organization, claimant=user,
                                           state__in=VerificationState.open_states()).first()


def open_dispute(user, organization, *, statement, legal_representative="", position=""):
    """Someone who is not the owner of a verified organisation says its owner is wrong."""
    statement = _short(statement, _g("why the current owner is wrong"), TEXT_LIMIT, required=True)
    if organization.memberships_of_people.filter(user=user, role=OrgRole.OWNER).exists():
        raise ServiceError(_g("You are this organisation's owner."), code="duplicate")
    return open_case(user, organization, kind=VerificationKind.DISPUTE, legal_representative=legal_representative,
                     position=position, statement=statement)


def update_details(user, case, *, legal_representative, position, statement=None):
    """The claimant edits the names on a draft case."""
    with transaction.atomic():
        case = VerificationCase.objects.select_for_update().get(pk=case.pk)
        _require_claimant_draft(user, case)
        case.legal_representative = _short(legal_representative, _g("the legal representative"), 50)
        case.position = _short(position, _g("your position"), 50)
        if statement is not None:
            case.statement = _short(statement, _g("the statement"), TEXT_LIMIT)
        case.save(update_fields=["legal_representative", "position", "statement"])
    return case


def _require_claimant_draft(user, case):
    if case.claimant_id != getattr(user, "pk", None):
        raise ServiceError(_g("Only the person who opened this case can do this."), code="forbidden")
    if case.state != VerificationState.DRAFT:
        raise ServiceError(_g("This case was already sent for verification."), code="conflict")


def add_document(user, case, uploaded, kind):
    """Store a document of a draft case, through the same checks as every upload (type sniffed, file parsed)."""
    if kind not in VerificationDocument.Kind.values:
        raise ServiceError(_g("Unknown kind of document."), field="kind")
    content_type, sha256 = checked_with_digest(uploaded)
    with transaction.atomic():
        case = VerificationCase.objects.select_for_update().select_related("organization").get(pk=case.pk)
        _require_claimant_draft(user, case)
        if case.documents.count() >= MAX_DOCUMENTS:
            raise ServiceError(_g("A case can have at most %(n)d documents; delete one first.") % {"n": MAX_DOCUMENTS},
                               code="too_many", field="file")
        document = VerificationDocument(case=case, kind=kind, original_name=clean_name(uploaded.name),
                                        content_type=content_type, size=uploaded.size, sha256=sha256,
                                        uploaded_by=user)
        document.file.save("upload", uploaded, save=False)
        document.save()
        log_event("verification.document_added", actor=user, organization=case.organization,
                  data={"case": case.pk, "document": document.pk, "kind": kind, "sha256": document.sha256},
                  visible_to_applicant=True)
    return document


def delete_document(user, document):
    with transaction.atomic():
        case = VerificationCase.objects.select_for_update().select_related("organization").get(pk=document.case_id)
        _require_claimant_draft(user, case)
        stored = document.file.name
        document.delete()
        log_event("verification.document_removed", actor=user, organization=case.organization,
                  data={"case": case.pk, "document": document.pk}, visible_to_applicant=True)
        storage = VerificationDocument._meta.get_field("file").storage
        transaction.on_commit(lambda: storage.delete(stored))


def missing(case) -> list[str]:
    """What the claimant still has to provide before sending the case."""
    result = []
    kinds = set(case.documents.values_list("kind", flat=True))
    labels = {
        VerificationDocument.Kind.BUSINESS_LICENCE: _g("Upload the business licence."),
        VerificationDocument.Kind.AUTHORISATION_LETTER: _g(
            "Upload the authorisation letter (授权委托书) bearing the company seal."),
    }
    result += [labels[k] for k in REQUIRED_DOCUMENTS if k not in kinds]
    if not case.legal_representative:
        result.append(_g("Name the legal representative."))
    if not case.position:
        result.append(_g("Give your position in the organisation."))
    if case.kind == VerificationKind.DISPUTE and not case.statement:
        result.append(_g("Say why the current owner is wrong."))
    return result


def fire(user, case, action, **inputs):
    """Fire a verification action for a person (portal, staff pages and API all come here)."""
    if "reason" in inputs:
        inputs["reason"] = _short(inputs["reason"], _g("The reason"), TEXT_LIMIT)
    return engine.fire("verification", case.pk, action, engine.Actor(user=user), **inputs)


def assign(user, case_ids, staff_member):
    """Assign open cases to a staff member (or un-assign with None); returns how many changed."""
    require(can(user, "verification.assign"))
    from ..permissions import STAFF_ROLE_CODES, has_role

    if staff_member is not None and not any(has_role(staff_member, r) for r in STAFF_ROLE_CODES):
        raise ServiceError(_g("%(who)s is not a member of staff.") % {"who": staff_member}, field="assignee")
    changed = 0
    with transaction.atomic():
        cases = (VerificationCase.objects.select_for_update().filter(
            pk__in=list(case_ids)[:500], state__in=[VerificationState.PENDING, VerificationState.RECOMMENDED])
            .select_related("organization").order_by("pk"))
        for case in cases:
            if case.assigned_to_id == getattr(staff_member, "pk", None):
                continue
            case.assigned_to = staff_member
            case.save(update_fields=["assigned_to"])
            log_event("verification.assigned", actor=user, organization=case.organization,
                      data={"case": case.pk, "assignee": getattr(staff_member, "pk", None)})
            changed += 1
    return changed


def submission_blocker(organization) -> str:
    """Why the organisation's people may not submit an application yet, or "" when they may."""
    if organization.verification == OrgVerification.VERIFIED:
        return ""
    if organization.verification == OrgVerification.SUSPENDED:
        return _g("The plan office suspended this organisation's access; applications cannot be submitted. "
                  "Please contact the plan office.")
    if organization.verification_cases.filter(state__in=[VerificationState.PENDING,
                                                         VerificationState.RECOMMENDED]).exists():
        return _g("The organisation's verification is with the plan office. You can prepare the draft; it can be "
                  "submitted once the organisation is verified.")
    return _g("The organisation is not verified yet: on the organisation's page, upload the business licence and "
              "the authorisation letter (授权委托书) and send them for verification. You can prepare the draft "
              "meanwhile.")


# --- Checks and effects of the verification process ---------------------------------------------------------

@PROCESS.check("submit")
def _check_ready(case, actor, inputs):
    gaps = missing(case)
    if gaps:
        err = engine.TransitionError(gaps[0], code="incomplete")
        err.errors = {"verification": gaps}
        raise err


@PROCESS.effect("submit")
def _on_submit(case, actor, inputs):
    case.submitted_at = timezone.now()
    return {"case": case.pk}


@PROCESS.effect("recommend")
def _on_recommend(case, actor, inputs):
    case.recommended_by = actor.user
    return {"case": case.pk}


def _decided(case, actor, inputs):
    case.decided_by = actor.user if not actor.system else None
    case.decided_at = timezone.now()
    case.reason = inputs.get("reason", "") or ""


def _make_owner(case):
    """The claimant becomes the organisation's one owner; a previous owner loses access. Returns the previous owner's id."""
    organization = case.organization
    links = list(OrganizationMember.objects.select_for_update().filter(organization=organization))
    previous = next((link for link in links if link.role == OrgRole.OWNER), None)
    if previous is not None and previous.user_id == case.claimant_id:
        return None
    if previous is not None:
        previous.delete()
    mine = next((link for link in links if link.user_id == case.claimant_id), None)
    if mine is None:
        OrganizationMember.objects.create(organization=organization, user_id=case.claimant_id, role=OrgRole.OWNER,
                                          title=case.position)
    else:
        mine.role = OrgRole.OWNER
        mine.save(update_fields=["role"])
    return previous.user_id if previous is not None else None


def _mark_verified(case):
    organization = case.organization
    organization.verification = OrgVerification.VERIFIED
    organization.verified_at = timezone.now()
    if case.legal_representative:
        organization.legal_representative = case.legal_representative
    organization.save(update_fields=["verification", "verified_at", "legal_representative", "updated_at"])


@PROCESS.effect("verify")
def _on_verify(case, actor, inputs):
    _decided(case, actor, inputs)
    previous = _make_owner(case)
    _mark_verified(case)
    return {"case": case.pk, "previous_owner": previous,
            "documents": list(case.documents.values("kind", "original_name", "sha256"))}


@PROCESS.effect("refuse")
def _on_refuse(case, actor, inputs):
    _decided(case, actor, inputs)
    return {"case": case.pk, "reason": case.reason}


@PROCESS.effect("transfer")
def _on_transfer(case, actor, inputs):
    _decided(case, actor, inputs)
    previous = _make_owner(case)
    _mark_verified(case)
    return {"case": case.pk, "reason": case.reason, "previous_owner": previous}


@PROCESS.effect("keep")
def _on_keep(case, actor, inputs):
    _decided(case, actor, inputs)
    organization = case.organization
    if organization.verification == OrgVerification.SUSPENDED:  # kept after a suspension: access restored
        organization.verification = OrgVerification.VERIFIED
        organization.save(update_fields=["verification", "updated_at"])
    owner = organization.owner
    return {"case": case.pk, "reason": case.reason, "previous_owner": getattr(owner, "pk", None)}


@PROCESS.effect("suspend")
def _on_suspend(case, actor, inputs):
    _decided(case, actor, inputs)
    organization = case.organization
    owner = organization.owner
    organization.verification = OrgVerification.SUSPENDED
    organization.save(update_fields=["verification", "updated_at"])
    return {"case": case.pk, "reason": case.reason, "previous_owner": getattr(owner, "pk", None)}


@PROCESS.effect("withdraw")
def _on_withdraw(case, actor, inputs):
    return {"case": case.pk}


def record_verification_transition(case, transition, actor, inputs, data, source):
    """The audit event (part of the organisation's history) and the outbox rows of a verification transition."""
    from .notifications import notify_verification

    log_event(transition.code, actor=actor, organization=case.organization, from_state=source,
              to_state=transition.target, data={"action": transition.action, "kind": case.kind, **data},
              visible_to_applicant=transition.visible_to_applicant)
    notify_verification(case, transition, actor, data)
