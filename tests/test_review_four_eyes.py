"""Four eyes: whoever reviewed an application at 初审 cannot decide it at 复审, in the service and on screen."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import translation

from partners import workflow
from partners.enums import ApplicationState
from partners.services import review as review_services
from tests.factories import advance, make_staff


@pytest.fixture
def both_roles(db):
    """A person who holds both the reviewer and the approver role."""
    user = make_staff("reviewer", email="both@example.com")
    user.groups.add(Group.objects.get(name="approver"))
    user.__dict__.pop("_role_cache", None)
    return user


@pytest.mark.parametrize("action,inputs", [
    ("approve", {"granted_types": ["data"]}),
    ("reject", {"message": "不通过"}),
    ("return_to_review", {"message": "退回"}),
])
def test_first_reviewer_cannot_take_any_final_decision(submitted, both_roles, action, inputs):
    application = advance(submitted, ApplicationState.FINAL_REVIEW, reviewer=both_roles)
    assert [t.action for t in workflow.available_actions(application, both_roles)] == []
    with translation.override("en"), pytest.raises(workflow.TransitionError) as info:
        workflow.fire(application.pk, action, workflow.Actor(user=both_roles), **inputs)
    assert "four eyes" in info.value.message
    application.refresh_from_db()
    assert application.state == ApplicationState.FINAL_REVIEW


def test_an_earlier_round_still_counts(submitted, both_roles, reviewer, approver):
    """Reviewed in round one, returned, passed by someone else in round two: still not allowed to decide."""
    application = advance(submitted, ApplicationState.FINAL_REVIEW, reviewer=both_roles)
    workflow.fire(application.pk, "return_to_review", workflow.Actor(user=approver), message="再核实")
    workflow.fire(application.pk, "pass_to_final", workflow.Actor(user=reviewer),
                  recommendations={"data": "grant"})
    application.refresh_from_db()
    assert application.first_reviewed_by == reviewer
    with pytest.raises(workflow.TransitionError):
        workflow.fire(application.pk, "approve", workflow.Actor(user=both_roles), granted_types=["data"])
    workflow.fire(application.pk, "approve", workflow.Actor(user=approver), granted_types=["data"])


def test_four_eyes_on_the_screen(client, submitted, both_roles):
    application = advance(submitted, ApplicationState.FINAL_REVIEW, reviewer=both_roles)
    client.force_login(both_roles)
    page = client.get(reverse("review:detail", args=[application.pk]))
    assert page.context["actions"] == []
    response = client.post(reverse("review:act", args=[application.pk]), {
        "action": "approve", "approve-action": "approve", "approve-expected_state": "final_review",
        "approve-granted_types": ["data"]}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 403
    assert "four eyes" in response.content.decode()


def test_first_reviewer_cannot_resolve_an_objection(submitted, both_roles, approver):
    application = advance(submitted, ApplicationState.PUBLICITY, reviewer=both_roles, approver=approver)
    objection = review_services.file_objection(application, name="张三", contact="13800000000", reason="材料不实")
    for uphold in (True, False):
        with pytest.raises(review_services.ServiceError):
            review_services.resolve_objection(both_roles, objection, uphold=uphold, resolution="成立")
    objection.refresh_from_db()
    assert objection.state == "open"  # the refusal rolled the resolution back too
