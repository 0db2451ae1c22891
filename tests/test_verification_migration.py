"""Migration 0026 on a database with organisations: those with an owner keep working (verified), those without
start unverified, as the README says."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = ("partners", "0025_site_and_objections")
MIGRATION = ("partners", "0026_organization_verification")


def _migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target])
    return executor.loader.project_state([target]).apps


@pytest.mark.django_db(transaction=True)
def test_organisations_with_an_owner_are_verified_the_others_are_not():
    leaf = MigrationExecutor(connection).loader.graph.leaf_nodes("partners")
    try:
        old = _migrate(BEFORE)
        Organization = old.get_model("partners", "Organization")
        owned = Organization.objects.create(name="有负责人单位", credit_code="91110108MA0000001X")
        unowned = Organization.objects.create(name="无负责人单位", credit_code="91110108MA0000002X")
        person = old.get_model("partners", "User").objects.create(email="owner@example.org")
        old.get_model("partners", "OrganizationMember").objects.create(organization=owned, user=person,
                                                                       role="owner")
        new = _migrate(MIGRATION)
        Migrated = new.get_model("partners", "Organization")
        assert Migrated.objects.get(pk=owned.pk).verification == "verified"
        assert Migrated.objects.get(pk=owned.pk).verified_at is not None
        assert Migrated.objects.get(pk=unowned.pk).verification == "unverified"
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(leaf)
