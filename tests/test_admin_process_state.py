"""No process's state changes in the Django admin, not even for a superuser: the workflow engine is the only way
(DESIGN.md §4). Every process of the engine is checked, so a new one is covered the day it is registered."""

from datetime import date

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from partners import workflow
from partners.models import Application, Case, ExpertAssignment, User, VerificationCase
from partners.services import calls as call_services
from partners.services import cases, pairings, subsidy_claims
from partners.services import member_requests as request_services
from partners.services import organizations as org_services
from partners.services import panel as panel_services
from tests.factories import (
    PASSWORD,
    OrganizationFactory,
    make_staff,
    submitted_application,
    unique_credit_code,
)
from tests.public_fixtures import make_member
from tests.subsidy_helpers import budget, facts, model_team, rules, staff_team, standing_pairing, user_unit

pytestmark = pytest.mark.django_db


def application():
    return submitted_application(OrganizationFactory().owner)


def case():
    organization = OrganizationFactory()
    return cases.create_case(organization.owner, Case(
        organization=organization, kind="application", title="智慧医疗问诊标杆", scenario="三甲医院预问诊",
        results="问诊效率提升30%", industry_id="health", year=2025))


def member_request():
    membership = make_member("北京诉求管理科技有限公司")
    return request_services.raise_request(membership.organization.owner, membership, kind="compute",
                                          title="需要训练算力", description="希望对接算力伙伴")


def pairing():
    unit, team = user_unit(), model_team()
    return pairings.propose(unit.owner, unit, side="application", partner=team, scenario="医学影像辅助诊断",
                            model_title="某医疗大模型", starts_on=date(2024, 3, 1))


def panel():
    administrator = make_staff("administrator")
    call = call_services.continuous_call()
    panel_services.save_rubric(administrator, call, "data", [{"name": "数据质量", "name_en": "Data quality",
                                                             "weight": "1"}])
    panel_services.invite_expert(administrator, call, make_staff("expert"))
    submitted = application()
    panel_services.assign_panel(make_staff("reviewer"), call, Application.objects.filter(pk=submitted.pk), 1)
    return ExpertAssignment.objects.get(application=submitted)


def subsidy_claim():
    rules()
    budget()
    standing = standing_pairing(staff_team())
    return subsidy_claims.create_claim(standing.model_partner.owner, standing, facts())


def verification():
    person = OrganizationFactory().owner
    organization = org_services.create_organization(person, unique_credit_code(), "北京管理核验科技有限公司")
    return VerificationCase.objects.get(organization=organization, claimant=person)


# One object of each process, in a state of its table, made through the services as the registry makes them.
BUILDERS = {"application": application, "case": case, "member_request": member_request, "pairing": pairing,
            "panel": panel, "subsidy_claim": subsidy_claim, "verification": verification}


@pytest.fixture
def superuser(settings):
    settings.AXES_ENABLED = False
    return User.objects.create_superuser("root-process@example.com", PASSWORD, display_name="Root")


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def states_of(process):
    return {t.source for t in process.transitions} | {t.target for t in process.transitions}


def change_form_data(model_admin, request, obj):
    """What the admin's change form would send back unchanged: every field it lets the person edit."""
    form = model_admin.get_form(request, obj, change=True)(instance=obj)
    return {name: form[name].value() for name in form.fields if form[name].value() is not None}


@pytest.mark.parametrize("name", sorted(workflow.PROCESSES))
def test_a_superuser_cannot_change_a_process_state_in_the_admin(name, admin_client, superuser, rf):
    process = workflow.PROCESSES[name]
    if name not in BUILDERS:
        pytest.fail(f"Add a builder of a {name} object to BUILDERS, so the admin of the new process is checked.")
    obj = BUILDERS[name]()
    model = apps.get_model(process.model_label)
    assert isinstance(obj, model)
    model_admin = admin.site._registry[model]
    request = rf.get("/")
    request.user = superuser
    before = obj.state
    target = sorted(states_of(process) - {before})[0]

    page = admin_client.get(admin_url(model, "change", obj.pk))
    assert page.status_code == 200
    assert 'name="state"' not in page.content.decode()
    assert "state" not in (model_admin.list_editable or ())

    data = {**change_form_data(model_admin, request, obj), "state": target}
    response = admin_client.post(admin_url(model, "change", obj.pk), data)
    obj.refresh_from_db()
    assert obj.state == before
    editable = model_admin.get_form(request, obj, change=True).base_fields
    assert response.status_code == 403 or "state" not in editable

    existing = set(model.objects.values_list("pk", flat=True))
    added = admin_client.post(admin_url(model, "add"), data)
    assert added.status_code == 403 or "state" not in model_admin.get_form(request, None).base_fields
    assert not model.objects.exclude(pk__in=existing).exclude(state=process.initial).exists()


def test_every_process_has_a_builder():
    assert sorted(BUILDERS) == sorted(workflow.PROCESSES)
