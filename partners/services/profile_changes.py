"""Members keep their public facts current: a change goes live after a staff check, or at once for the fields
listed in PROFILE_LIVE_FIELDS."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from ..enums import ProfileChangeState, StaffRole
from ..member_scope import can_serve_member
from ..models import Organization, ProfileChange
from ..permissions import acts_for, unless_suspended
from .applications import ServiceError, require
from .audit import log_event

# The public facts a member changes here, with their limits.
FIELDS = {"name_en": (_("name (English)"), 200), "website": (_("website"), 200),
          "description": (_("description"), 2000), "registered_address": (_("registered address"), 300)}


def live_fields() -> set[str]:
    return {name for name in getattr(settings, "PROFILE_LIVE_FIELDS", ["website"]) if name in FIELDS}


def _clean(field, value):
    if field not in FIELDS:
        raise ServiceError(_g("This fact cannot be changed here."), field="field")
    label, limit = FIELDS[field]
    value = (value or "").strip()
    if len(value) > limit:
        raise ServiceError(_g("%(what)s can have at most %(n)d characters.") % {"what": label, "n": limit},
                           field="value")
    if field == "website" and value:
        from django.core.validators import URLValidator

        try:
            URLValidator(schemes=["http", "https"])(value)
        except ValidationError:
            raise ServiceError(_g("Enter a web address starting with http:// or https://."), field="value") from None
    return value


def propose_change(user, organization, field, value) -> ProfileChange:
    """A member's person changes a public fact: live at once (configured fields) or after a staff check."""
    if not acts_for(user, organization):
        raise ServiceError(_g("You do not act for this organisation."), code="forbidden")
    require(unless_suspended(organization))
    value = _clean(field, value)
    with transaction.atomic():
        organization = Organization.objects.select_for_update().get(pk=organization.pk)
        old = getattr(organization, field) or ""
        if old == value:
            raise ServiceError(_g("This is already the registered value."), field="value")
        change = ProfileChange.objects.create(organization=organization, field=field, old_value=old, new_value=value,
                                              proposed_by=user)
        log_event("profile.change_proposed", actor=user, organization=organization,
                  data={"change": change.pk, "field": field}, visible_to_applicant=True)
        if field in live_fields():
            _apply(organization, change, None)
        else:
            from .notifications import record, staff_with_role

            for person in staff_with_role(StaffRole.SERVICE_OFFICER):
                record("staff.profile_change", recipient=person,
                       context={"organization": organization.name, "organization_id": organization.pk,
                                "field": str(FIELDS[field][0])},
                       dedupe_key=f"staff.profile_change:{change.pk}:{person.pk}")
    return change


def _apply(organization, change, checker):
    setattr(organization, change.field, change.new_value)
    organization.save(update_fields=[change.field, "updated_at"])
    change.state = ProfileChangeState.ACCEPTED
    change.checked_by = checker
    change.checked_at = timezone.now()
    change.save(update_fields=["state", "checked_by", "checked_at"])
    log_event("profile.change_accepted", actor=checker, organization=organization,
              data={"change": change.pk, "field": change.field, "at_once": checker is None},
              visible_to_applicant=True)


def check_change(user, change, *, accept) -> ProfileChange:
    """Staff accept (the fact goes live) or reject a pending change."""
    membership = getattr(change.organization, "membership", None)
    if membership is None:
        raise ServiceError(_g("This organisation is not a member."), code="conflict")
    require(can_serve_member(user, membership))
    with transaction.atomic():
        change = ProfileChange.objects.select_for_update().get(pk=change.pk)
        if change.state != ProfileChangeState.PENDING:
            raise ServiceError(_g("This change was already checked."), code="conflict")
        organization = Organization.objects.select_for_update().get(pk=change.organization_id)
        if accept:
            _apply(organization, change, user)
        else:
            change.state = ProfileChangeState.REJECTED
            change.checked_by = user
            change.checked_at = timezone.now()
            change.save(update_fields=["state", "checked_by", "checked_at"])
            log_event("profile.change_rejected", actor=user, organization=organization,
                      data={"change": change.pk, "field": change.field}, visible_to_applicant=True)
    return change
