"""The Django admin: every page loads, state is never editable, and review actions go through the workflow."""

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from partners.enums import ApplicationState, MembershipState
from partners.models import Application, AuditEvent, Membership, ReviewMessage, SecurityEvent, User
from partners.services.membership import admit_due_applications
from tests.factories import PASSWORD, advance, submitted_application


@pytest.fixture
def superuser(db, settings):
    settings.AXES_ENABLED = False
    return User.objects.create_superuser("root@example.com", PASSWORD, display_name="Root")


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # assertions below read the English messages
    return client


def url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def populated(applicant, other_applicant, reviewer, approver):
    """An admitted member, so every table the admin lists has rows."""
    application = advance(submitted_application(applicant), ApplicationState.PUBLICITY,
                          reviewer=reviewer, approver=approver)
    admit_due_applications(now=timezone.now() + timezone.timedelta(days=30))
    submitted_application(other_applicant)
    return application


def test_every_model_of_the_registry_has_an_admin():
    from django.apps import apps

    models = [m for m in apps.get_app_config("partners").get_models()
              if not m._meta.model_name.startswith("historical")]
    assert [m for m in models if not admin.site.is_registered(m)] == []


def test_every_changelist_add_and_change_page_loads(admin_client, superuser, populated, rf):
    request = rf.get("/")
    request.user = superuser
    for model, model_admin in admin.site._registry.items():
        response = admin_client.get(url(model, "changelist"))
        assert response.status_code == 200, model
        expected = 200 if model_admin.has_add_permission(request) else 403
        assert admin_client.get(url(model, "add")).status_code == expected, model
        obj = model._default_manager.first()
        if obj is not None:
            assert admin_client.get(url(model, "change", obj.pk)).status_code == 200, model


def test_search_by_name_and_credit_code(admin_client, populated):
    org = populated.organization
    for term in (org.name, org.credit_code):
        response = admin_client.get(url(Application, "changelist"), {"q": term})
        assert response.status_code == 200
        assert list(response.context["cl"].result_list) == [populated]


def test_state_cannot_be_edited(admin_client, submitted):
    page = admin_client.get(url(Application, "change", submitted.pk))
    assert page.status_code == 200
    assert 'name="state"' not in page.content.decode()
    response = admin_client.post(url(Application, "change", submitted.pk), {"state": "admitted"})
    assert response.status_code == 403
    submitted.refresh_from_db()
    assert submitted.state == ApplicationState.SUBMITTED


def test_trails_are_read_only(admin_client, submitted, superuser, rf):
    request = rf.get("/")
    request.user = superuser
    for model in (AuditEvent, SecurityEvent):
        model_admin = admin.site._registry[model]
        assert not model_admin.has_add_permission(request)
        assert not model_admin.has_change_permission(request)
        assert not model_admin.has_delete_permission(request)
    event = AuditEvent.objects.first()
    assert admin_client.post(url(AuditEvent, "delete", event.pk), {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_assign_action_asks_for_the_reviewer_then_assigns(admin_client, submitted, reviewer):
    changelist = url(Application, "changelist")
    page = admin_client.post(changelist, {"action": "assign_to_reviewer", "_selected_action": [submitted.pk]})
    assert page.status_code == 200
    assert reviewer.email in page.content.decode()
    response = admin_client.post(changelist, {"action": "assign_to_reviewer", "_selected_action": [submitted.pk],
                                              "reviewer": reviewer.pk, "apply": "1"})
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.assigned_reviewer == reviewer
    event = AuditEvent.objects.get(application=submitted, action="application.assigned")
    assert event.actor.email == "root@example.com"


def test_assign_over_all_filtered_results(admin_client, applicant, other_applicant, reviewer):
    ids = [submitted_application(applicant).pk, submitted_application(other_applicant).pk]
    changelist = url(Application, "changelist") + "?state__exact=submitted"
    response = admin_client.post(changelist, {"action": "assign_to_reviewer", "select_across": "1",
                                              "_selected_action": [ids[0]], "reviewer": reviewer.pk,
                                              "apply": "1"})
    assert response.status_code == 302
    assert set(Application.objects.filter(assigned_reviewer=reviewer).values_list("pk", flat=True)) == set(ids)


def test_assign_refuses_someone_who_is_not_a_reviewer(admin_client, submitted, approver):
    response = admin_client.post(url(Application, "changelist"), {
        "action": "assign_to_reviewer", "_selected_action": [submitted.pk], "reviewer": approver.pk, "apply": "1"})
    assert response.status_code == 200  # the form shows the error; nothing assigned
    submitted.refresh_from_db()
    assert submitted.assigned_reviewer is None


def test_change_page_offers_exactly_the_allowed_actions(admin_client, submitted):
    content = admin_client.get(url(Application, "change", submitted.pk)).content.decode()
    assert url(Application, "workflow", submitted.pk, "start_review") in content
    for action in ("approve", "pass_to_final", "submit", "withdraw", "admit"):
        assert url(Application, "workflow", submitted.pk, action) not in content


def test_workflow_button_fires_the_transition(admin_client, submitted):
    target = url(Application, "workflow", submitted.pk, "start_review")
    assert admin_client.get(target).status_code == 200
    response = admin_client.post(target, {})
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.state == ApplicationState.IN_REVIEW
    event = AuditEvent.objects.get(application=submitted, action="application.review_started")
    assert event.who == "root@example.com"


def test_request_changes_needs_message_and_points(admin_client, submitted, reviewer):
    advance(submitted, ApplicationState.IN_REVIEW, reviewer=reviewer)
    target = url(Application, "workflow", submitted.pk, "request_changes")
    response = admin_client.post(target, {"message": "请补充材料"})
    assert response.status_code == 200 and response.context["form"].errors
    response = admin_client.post(target, {"message": "请补充材料", "points": "补充案例\n\n重新上传执照"})
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.state == ApplicationState.CHANGES_REQUESTED
    assert ReviewMessage.objects.get(application=submitted).points == ["补充案例", "重新上传执照"]


def test_four_eyes_refusal_is_shown(admin_client, submitted):
    for action, data in (("start_review", {}), ("pass_to_final", {"rec_data": "grant"})):
        assert admin_client.post(url(Application, "workflow", submitted.pk, action), data).status_code == 302
    submitted.refresh_from_db()
    assert submitted.state == ApplicationState.FINAL_REVIEW
    page = admin_client.get(url(Application, "change", submitted.pk)).content.decode()
    assert url(Application, "workflow", submitted.pk, "approve") not in page
    response = admin_client.post(url(Application, "workflow", submitted.pk, "approve"),
                                 {"granted_types": ["data"]}, follow=True)
    shown = [str(m) for m in response.context["messages"]]
    assert shown == ["An approver cannot decide an application they reviewed at first review (four eyes)."]
    submitted.refresh_from_db()
    assert submitted.state == ApplicationState.FINAL_REVIEW
    assert not AuditEvent.objects.filter(application=submitted, action="application.approved").exists()


def test_refused_action_on_get_redirects_with_the_reason(admin_client, submitted):
    response = admin_client.get(url(Application, "workflow", submitted.pk, "approve"), follow=True)
    assert response.redirect_chain[-1][0] == url(Application, "change", submitted.pk)
    assert "not possible" in response.content.decode()


def test_membership_suspension_needs_a_reason_and_is_audited(admin_client, populated):
    membership = Membership.objects.get()
    changelist = url(Membership, "changelist")
    page = admin_client.post(changelist, {"action": "suspend_members", "_selected_action": [membership.pk]})
    assert page.status_code == 200 and 'name="reason"' in page.content.decode()
    admin_client.post(changelist, {"action": "suspend_members", "_selected_action": [membership.pk],
                                   "reason": "未按要求报送年度材料", "apply": "1"})
    membership.refresh_from_db()
    assert membership.state == MembershipState.SUSPENDED
    assert AuditEvent.objects.filter(action="member.suspended", organization=membership.organization).exists()


def test_profile_and_organisation_history_pages_load(admin_client, submitted):
    from partners.models import DataProfile, Organization

    profile = DataProfile.objects.get(application=submitted)
    for model, pk in ((DataProfile, profile.pk), (Organization, submitted.organization_id)):
        response = admin_client.get(url(model, "history", pk))
        assert response.status_code == 200, model


def test_applicant_actions_are_refused_to_staff_who_do_not_act_for_the_organisation(admin_client, submitted):
    response = admin_client.post(url(Application, "workflow", submitted.pk, "withdraw"), {"message": "x"},
                                 follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        "Only people acting for the organisation can do this."]
    submitted.refresh_from_db()
    assert submitted.state == ApplicationState.SUBMITTED


def test_secrets_are_never_shown(admin_client, superuser):
    from partners.models import PasswordHistory

    row = PasswordHistory.objects.create(user=superuser, password=superuser.password)
    for page in (url(PasswordHistory, "changelist"), url(PasswordHistory, "change", row.pk)):
        response = admin_client.get(page)
        assert response.status_code == 200
        assert superuser.password.split("$")[-1] not in response.content.decode()
