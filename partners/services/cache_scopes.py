"""What a change to public member facts touches, as cache *scopes*: the member's own page and detail
("member:<number>", with the facts of its partner types' profiles), the lists filtered by one of its partner types, its district or its industries
("type:<code>", "district:<code>", "industry:<code>"), and the unfiltered lists, searches and figures ("all").

A cached public read is keyed by the generations of the scopes it depends on (partners/services/cache.py); a
write bumps the scopes of what it changed, before and after the change, so a list whose filters the changed
member never matched stays cached.
"""

EVERYTHING = None  # a change whose reach is not worked out (reference data, bulk updates): every public read


# The fields whose change can move a row's members into other scopes. A save limited to other fields
# (`update_fields`) leaves its members' scopes as they were noted before it.
SCOPE_FIELDS = {
    "Organization": {"district"},
    "Membership": {"number", "organization"},
    "MembershipGrant": {"membership", "partner_type", "application"},
    "ApplicationProfile": {"application", "industry"},
    "Scenario": {"profile"},
    "Pairing": {"application_partner", "model_partner", "compute_partner"},
}


def moves_scopes(instance, update_fields) -> bool:
    """Whether a save with these `update_fields` (None: every field) can change the scopes of its members."""
    if update_fields is None:
        return True
    meta = instance._meta
    fields = SCOPE_FIELDS.get(meta.object_name, {"application"} if _is_profile(instance) else None)
    if fields is None:
        return True
    names = fields | {meta.get_field(name).attname for name in fields}
    return bool(names & set(update_fields))


def _is_profile(instance):
    from ..models import PROFILE_MODELS

    return isinstance(instance, tuple(PROFILE_MODELS.values()))


def _membership_ids(instance):
    """The memberships whose public facts `instance` is part of, or EVERYTHING."""
    from ..models import (
        Membership,
        MembershipGrant,
        Pairing,
        Scenario,
    )

    if isinstance(instance, Membership):
        return [instance.pk] if instance.pk else []
    if isinstance(instance, MembershipGrant):
        return [instance.membership_id] if instance.membership_id else []
    if isinstance(instance, Pairing):
        # A standing pairing is listed on the public pages of both members (and of its compute partner).
        orgs = [pk for pk in (instance.application_partner_id, instance.model_partner_id,
                              instance.compute_partner_id) if pk]
        return list(Membership.objects.filter(organization_id__in=orgs).values_list("pk", flat=True))
    if _is_profile(instance):
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


def _scope_rows(where, values):
    """(membership id, number, district, partner type, industry) of the memberships selected by `where`: one
    row per grant and industry of its application (industries served by a model profile, and an application
    partner's own industry), in one query."""
    from django.db import connection

    from ..models import ApplicationProfile, Membership, MembershipGrant, ModelProfile, Organization

    served = ModelProfile.industries.through._meta.db_table
    sql = f"""
        SELECT m.id, m.number, o.district_id, g.partner_type, i.industry_id
          FROM {Membership._meta.db_table} m
          JOIN {Organization._meta.db_table} o ON o.id = m.organization_id
          LEFT JOIN {MembershipGrant._meta.db_table} g ON g.membership_id = m.id
          LEFT JOIN LATERAL (
                SELECT s.industry_id FROM {served} s
                  JOIN {ModelProfile._meta.db_table} p ON p.id = s.modelprofile_id
                 WHERE p.application_id = g.application_id
                UNION ALL
                SELECT a.industry_id FROM {ApplicationProfile._meta.db_table} a
                 WHERE a.application_id = g.application_id AND a.industry_id IS NOT NULL
          ) i ON true
         WHERE {where} = ANY(%s)"""
    with connection.cursor() as cursor:
        cursor.execute(sql, [list(values)])
        return cursor.fetchall()


def _scopes_of_rows(rows) -> tuple[set, set]:
    """(scopes, membership ids) of `_scope_rows`."""
    scopes, ids = set(), set()
    for membership_id, number, district, partner_type, industry in rows:
        ids.add(membership_id)
        scopes.add(f"member:{number}")
        if district:
            scopes.add(f"district:{district}")
        if partner_type:
            scopes.add(f"type:{partner_type}")
        if industry:
            scopes.add(f"industry:{industry}")
    if ids:
        scopes.add("all")
    return scopes, ids


def of_memberships(ids) -> set:
    """The scopes of these memberships as the database has them now (inside the writing transaction)."""
    ids = [i for i in ids if i]
    if not ids:
        return set()
    return _scopes_of_rows(_scope_rows("m.id", ids))[0]


def of_instance(instance):
    """The scopes a saved or deleted row touches, or EVERYTHING."""
    return noted(instance)[0]


def noted(instance, skip=frozenset()):
    """(scopes, membership ids) of a saved or deleted row: the scopes (or EVERYTHING) of the memberships it is
    part of, leaving out those in `skip` (whose scopes the transaction already noted as they are now)."""
    from ..models import Organization

    if isinstance(instance, Organization):
        # The organisation's memberships and their scopes in one query.
        if not instance.pk:
            return set(), set()
        return _scopes_of_rows(_scope_rows("m.organization_id", [instance.pk]))
    ids = _membership_ids(instance)
    if ids is EVERYTHING:
        return EVERYTHING, set()
    ids = {i for i in ids if i}
    wanted = ids - skip
    return (_scopes_of_rows(_scope_rows("m.id", sorted(wanted)))[0] if wanted else set()), ids


def of_list(partner_type="", district="", industry=""):
    """The scopes of a member list: each of its filters (a member outside any of them cannot change it), or
    "all" for an unfiltered list or a name search."""
    scopes = [f"type:{partner_type}" if partner_type else "", f"district:{district}" if district else "",
              f"industry:{industry}" if industry else ""]
    return [s for s in scopes if s] or ["all"]


def of_member(number):
    return [f"member:{number}"]
