"""Members keep their public facts current: a change goes live after a staff check, or at once for the fields
listed in PROFILE_LIVE_FIELDS.

Two kinds of fact are kept here: the organisation's own (name_en, website, …) and the facts of the profile of
each partner type the member holds (capacity, filing numbers, fund size, …). A fact of a profile is keyed
"<partner type>.<field>", e.g. "model.algorithm_filing", in the form, the setting and the audit data, and is
validated by the same form field and model validators as the application form. Facts holding several values
(industries served, scenarios, …) are proposed as a whole list (profile_lists.py).
"""

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from ..enums import MembershipState, PartnerType, ProfileChangeState, StaffRole
from ..member_scope import can_serve_member
from ..models import PROFILE_MODELS, Membership, Organization, ProfileChange
from ..permissions import acts_for, unless_suspended
from . import profile_lists
from .applications import ServiceError, require
from .audit import log_event

# The public facts of the organisation a member changes here, with their limits.
FIELDS = {"name_en": (_("name (English)"), 200), "website": (_("website"), 200),
          "description": (_("description"), 2000), "registered_address": (_("registered address"), 300)}

# The public facts of each partner type's profile a member changes here (shown on its public page).
TYPE_FIELDS = {
    PartnerType.COMPUTE: ("summary", "capacity_pflops_fp16", "accelerators_domestic", "accelerators_foreign",
                          "datacenter_locations"),
    PartnerType.DATA: ("summary", "domains", "volume_tb", "compliance_certifications"),
    PartnerType.MODEL: ("summary", "base_models", "parameter_scale_billion", "algorithm_filing", "genai_filing"),
    PartnerType.APPLICATION: ("summary",),
    PartnerType.INVESTMENT: ("summary", "fund_type", "fund_size_100m", "focus_areas"),
}


def type_key(partner_type, field) -> str:
    return f"{partner_type}.{field}"


def split_key(key):
    """(partner type, field) of a key; the partner type is "" for the organisation's own facts."""
    partner_type, _sep, field = (key or "").rpartition(".")
    return partner_type, field


def all_keys() -> set[str]:
    return set(FIELDS) | {type_key(t, f) for t, fields in TYPE_FIELDS.items() for f in fields} \
        | {type_key(t, f) for t, fields in profile_lists.LIST_FIELDS.items() for f in fields}


def live_fields() -> set[str]:
    return set(getattr(settings, "PROFILE_LIVE_FIELDS", ["website"])) & all_keys()


def fact_label(partner_type, field):
    """The translated name of a fact: "website", or "Model partner: algorithm filing number"."""
    if not partner_type:
        entry = FIELDS.get(field)
        return entry[0] if entry else field
    try:
        name = profile_lists.field_label(partner_type, field) if profile_lists.is_list(partner_type, field) \
            else PROFILE_MODELS[partner_type]._meta.get_field(field).verbose_name
    except (KeyError, FieldDoesNotExist):  # a key no profile has (a stored older one): shown as it is
        return f"{partner_type}.{field}"
    return f"{PartnerType(partner_type).label}: {name}"


def choices_for(membership):
    """(key, label) of every fact this member may change: the organisation's, then those of its types."""
    from .directory import current_grants

    choices = [(name, label) for name, (label, _limit) in FIELDS.items()]
    types = set(current_grants().filter(membership=membership).values_list("partner_type", flat=True))
    for partner_type in PartnerType.values:
        if partner_type in types:
            choices += [(type_key(partner_type, f), fact_label(partner_type, f)) for f in TYPE_FIELDS[partner_type]]
    return choices


def list_choices_for(membership):
    """(key, label) of every multi-valued fact of the member's types, each changed on a page of its own."""
    from .directory import current_grants

    types = set(current_grants().filter(membership=membership).values_list("partner_type", flat=True))
    return [(type_key(t, f), fact_label(t, f)) for t in PartnerType.values if t in types
            for f in profile_lists.LIST_FIELDS.get(t, ())]


def type_facts(membership) -> list:
    """The facts of the member's partner types as they stand now (the public member page shows the same)."""
    from django.db.models import Prefetch

    from ..enums import type_rank
    from .directory import current_grants
    from .directory import type_facts as facts

    member = Membership.objects.prefetch_related(
        Prefetch("grants", queryset=current_grants().order_by(type_rank()))).get(pk=membership.pk)
    return facts(member)


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


def _as_text(value) -> str:
    return "" if value is None else str(value)


def _clean_type_fact(partner_type, field, value) -> str:
    """The value as the application form's field and the model's validators accept it, as stored text."""
    from ..forms.profiles import PROFILE_FORMS

    form = PROFILE_FORMS[partner_type]()
    form_field = form.fields[field]
    try:
        cleaned = form_field.clean((value or "").strip())
        hook = getattr(form, f"clean_{field}", None)
        if hook is not None:
            form.cleaned_data = {field: cleaned}
            cleaned = hook()
        model_field = PROFILE_MODELS[partner_type]._meta.get_field(field)
        if cleaned not in model_field.empty_values:
            model_field.run_validators(cleaned)
    except ValidationError as exc:
        raise ServiceError(" ".join(str(m) for m in exc.messages), field="value") from None
    return _as_text(cleaned)


def _stored(model_field, text):
    """The value a profile's field keeps for a change's text (empty is NULL where the field allows it)."""
    return None if text == "" and model_field.null else model_field.to_python(text)


def live_profile(membership, partner_type, *, lock=False):
    """The profile of a type the member holds now: the one of the application its grant came from, or None."""
    from .directory import current_grants

    grant = current_grants().filter(membership=membership, partner_type=partner_type).first()
    if grant is None or grant.application_id is None:
        return None
    qs = PROFILE_MODELS[partner_type].objects.filter(application_id=grant.application_id)
    return (qs.select_for_update() if lock else qs).first()


def _active_membership(organization):
    membership = Membership.objects.filter(organization=organization).first()
    if membership is None:
        raise ServiceError(_g("This organisation is not a member."), code="conflict")
    if membership.state != MembershipState.ACTIVE:
        raise ServiceError(_g("This membership is “%(state)s”; its facts cannot be changed now.")
                           % {"state": MembershipState(membership.state).label}, code="forbidden")
    return membership


def propose_change(user, organization, field, value) -> ProfileChange:
    """A member's person changes a public fact: live at once (configured fields) or after a staff check."""
    if not acts_for(user, organization):
        raise ServiceError(_g("You do not act for this organisation."), code="forbidden")
    require(unless_suspended(organization))
    membership = _active_membership(organization)
    key = field
    partner_type, field = split_key(key)
    listed = profile_lists.is_list(partner_type, field)
    if not partner_type:
        value = _clean(field, value)
    elif listed:
        value = profile_lists.clean(partner_type, field, value)
    elif partner_type not in TYPE_FIELDS or field not in TYPE_FIELDS[partner_type]:
        raise ServiceError(_g("This fact cannot be changed here."), field="field")
    else:
        value = _clean_type_fact(partner_type, field, value)
    with transaction.atomic():
        organization = Organization.objects.select_for_update().get(pk=organization.pk)
        if partner_type:
            profile = live_profile(membership, partner_type, lock=True)
            if profile is None:
                raise ServiceError(_g("No profile of this partner type is on record for your membership; please "
                                      "ask the plan office."), field="field")
            if listed:
                old = profile_lists.current(profile, field)
                unchanged = old == value
            else:
                current = getattr(profile, field)
                old = _as_text(current)
                unchanged = _stored(profile._meta.get_field(field), value) == current
        else:
            old = getattr(organization, field) or ""
            unchanged = old == value
        if unchanged:
            raise ServiceError(_g("This is already the registered value."), field="value")
        change = ProfileChange.objects.create(organization=organization, profile_type=partner_type, field=field,
                                              old_value=old, new_value=value, proposed_by=user)
        log_event("profile.change_proposed", actor=user, organization=organization,
                  data={"change": change.pk, "field": key}, visible_to_applicant=True)
        if key in live_fields():
            _apply(organization, change, None)
        else:
            from .notifications import record, staff_with_role

            for person in staff_with_role(StaffRole.SERVICE_OFFICER):
                record("staff.profile_change", recipient=person,
                       context={"organization": organization.name, "organization_id": organization.pk,
                                "change": change.pk, "field": str(fact_label(partner_type, field))},
                       dedupe_key=f"staff.profile_change:{change.pk}:{person.pk}")
    return change


def _apply(organization, change, checker):
    if change.profile_type:
        profile = live_profile(organization.membership, change.profile_type, lock=True)
        if profile is None:
            raise ServiceError(_g("The member no longer holds this partner type; the change cannot be applied."),
                               code="conflict")
        if profile_lists.is_list(change.profile_type, change.field):
            # The whole list at once (scenarios replaced), in the caller's transaction.
            profile_lists.apply(profile, change.field, change.new_value)
        else:
            _set_fact(profile, change)
    else:
        setattr(organization, change.field, change.new_value)
        organization.save(update_fields=[change.field, "updated_at"])
    _accepted(organization, change, checker)


def _set_fact(profile, change):
    # The stored text was cleaned by the form field when proposed; the model field reads it back.
    setattr(profile, change.field, _stored(profile._meta.get_field(change.field), change.new_value))
    profile.save(update_fields=[change.field])  # the public cache follows the profile's save


def _accepted(organization, change, checker):
    change.state = ProfileChangeState.ACCEPTED
    change.checked_by = checker
    change.checked_at = timezone.now()
    change.save(update_fields=["state", "checked_by", "checked_at"])
    log_event("profile.change_accepted", actor=checker, organization=organization,
              data={"change": change.pk, "field": change.key, "at_once": checker is None},
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
                      data={"change": change.pk, "field": change.key}, visible_to_applicant=True)
    return change
