"""Migration 0020 on a database with rows: every row gets its own public id, organisation versions the id of
their organisation, stored webhook payloads the public ids, and the audit trail stays append-only."""

import importlib

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

MIGRATION = ("partners", "0020_public_ids")
BEFORE = ("partners", importlib.import_module("partners.migrations.0020_public_ids").Migration.dependencies[0][1])


def _migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target] if target[1] else executor.loader.graph.leaf_nodes("partners"))
    return executor.loader.project_state([target]).apps


@pytest.mark.django_db(transaction=True)
def test_rows_written_before_get_distinct_public_ids_and_payloads_follow():
    leaf = MigrationExecutor(connection).loader.graph.leaf_nodes("partners")
    try:
        old = _migrate(BEFORE)
        Organization = old.get_model("partners", "Organization")
        AuditEvent = old.get_model("partners", "AuditEvent")
        Notification = old.get_model("partners", "Notification")
        WebhookSubscription = old.get_model("partners", "WebhookSubscription")
        orgs = [Organization.objects.create(name=f"单位{i}", credit_code=f"91110108MA00000{i:02d}X") for i in range(3)]
        Historical = old.get_model("partners", "HistoricalOrganization")
        from django.utils import timezone

        Historical.objects.create(id=orgs[0].pk, name=orgs[0].name, credit_code=orgs[0].credit_code,
                                  history_date=timezone.now(), history_type="+", org_type="enterprise",
                                  capital_currency="CNY", in_etown=False, created_at=timezone.now(),
                                  updated_at=timezone.now())
        events = [AuditEvent.objects.create(action="organization.created", organization_id=o.pk, data={})
                  for o in orgs]
        Notification.objects.create(channel="webhook", template_key="webhook", dedupe_key="wh:1:x",
                                    context={"event": events[0].pk, "payload": {
                                        "id": events[0].pk, "application": None, "organization": orgs[0].pk,
                                        "type": "organization.created"}})

        new = _migrate(MIGRATION)
        Organization = new.get_model("partners", "Organization")
        AuditEvent = new.get_model("partners", "AuditEvent")
        ids = list(Organization.objects.values_list("public_id", flat=True))
        event_ids = list(AuditEvent.objects.values_list("public_id", flat=True))
        assert len(ids) == 3 and None not in ids and len(set(ids)) == 3
        assert len(event_ids) == 3 and None not in event_ids and len(set(event_ids)) == 3
        assert all(i.version == 4 for i in ids + event_ids)
        version = new.get_model("partners", "HistoricalOrganization").objects.get()
        assert version.public_id == Organization.objects.get(pk=orgs[0].pk).public_id
        payload = new.get_model("partners", "Notification").objects.get().context["payload"]
        assert payload["id"] == str(AuditEvent.objects.get(pk=events[0].pk).public_id)
        assert payload["organization"] == str(Organization.objects.get(pk=orgs[0].pk).public_id)
        assert payload["application"] is None
        assert not WebhookSubscription.objects.exists()
        if connection.vendor == "postgresql":
            # The fill updated no audit row: the guard is on and still refuses updates.
            with pytest.raises(DatabaseError), transaction.atomic():
                AuditEvent.objects.filter(pk=events[0].pk).update(action="changed")
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(leaf)
