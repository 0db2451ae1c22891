"""What a change to public member facts touches, as cache *scopes*: the member's own page and detail
("member:<number>", with the facts of its partner types' profiles), the lists filtered by one of its partner types, its district or its industries
("type:<code>", "district:<code>", "industry:<code>"), and the unfiltered lists, searches and figures ("all").

A cached public read is keyed by the generations of the scopes it depends on (partners/services/cache.py); a
write bumps the scopes of what it changed, before and after the change, so a list whose filters the changed
member never matched stays cached.
"""

EVERYTHING = None  # a change whose reach is not worked out (reference data, bulk updates): every public read


def _membership_ids(instance):
    """The memberships whose public facts `instance` is part of, or EVERYTHING."""
    from ..models import (
        PROFILE_MODELS,
        Membership,
        MembershipGrant,
        Organization,
        Pairing,
        Scenario,
    )

    if isinstance(instance, Membership):
        return [instance.pk] if instance.pk else []
    if isinstance(instance, MembershipGrant):
        return [instance.membership_id] if instance.membership_id else []
    if isinstance(instance, Organization):
        return list(Membership.objects.filter(organization_id=instance.pk).values_list("pk", flat=True)) \
            if instance.pk else []
    if isinstance(instance, Pairing):
        # A standing pairing is listed on the public pages of both members (and of its compute partner).
        orgs = [pk for pk in (instance.application_partner_id, instance.model_partner_id,
                              instance.compute_partner_id) if pk]
        return list(Membership.objects.filter(organization_id__in=orgs).values_list("pk", flat=True))
    if isinstance(instance, tuple(PROFILE_MODELS.values())):
        # Every profile's facts show on the member's page (and model and application profiles hold industries).
        if not instance.application_id:
            return []
        return list(MembershipGrant.objects.filter(application_id=instance.application_id)
                    .values_list("membership_id", flat=True))
    if isinstance(instance, Scenario):
        # A scenario shows on the page of the member whose application-partner profile holds it.
        if not instance.profile_id:
            return []
        return list(MembershipGrant.objects.filter(application__applicationprofile=instance.profile_id)
                    .values_list("membership_id", flat=True))
    return EVERYTHING


def of_memberships(ids) -> set:
    """The scopes of these memberships as the database has them now (inside the writing transaction)."""
    from ..models import Membership, MembershipGrant
    from .directory import industries_by_application

    ids = [i for i in ids if i]
    if not ids:
        return set()
    scopes = {"all"}
    for number, district in Membership.objects.filter(pk__in=ids).values_list("number",
                                                                               "organization__district_id"):
        scopes.add(f"member:{number}")
        if district:
            scopes.add(f"district:{district}")
    applications = set()
    for partner_type, application_id in MembershipGrant.objects.filter(membership_id__in=ids).values_list(
            "partner_type", "application_id"):
        scopes.add(f"type:{partner_type}")
        applications.add(application_id)
    for industries in industries_by_application(list(applications)).values():
        scopes.update(f"industry:{code}" for _position, code in industries)
    return scopes


def of_instance(instance):
    """The scopes a saved or deleted row touches, or EVERYTHING."""
    ids = _membership_ids(instance)
    return EVERYTHING if ids is EVERYTHING else of_memberships(ids)


def of_list(partner_type="", district="", industry=""):
    """The scopes of a member list: each of its filters (a member outside any of them cannot change it), or
    "all" for an unfiltered list or a name search."""
    scopes = [f"type:{partner_type}" if partner_type else "", f"district:{district}" if district else "",
              f"industry:{industry}" if industry else ""]
    return [s for s in scopes if s] or ["all"]


def of_member(number):
    return [f"member:{number}"]
