"""Hypothesis through HTTP: random form posts to the applicant's wizard, the claim form and the objection
form get a page or a 4xx with a message, never a 500, and never change another organisation's data."""

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from partners.models import Application

TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00"), max_size=40)
FIELDS = ["name", "name_en", "credit_code", "district", "province", "registered_capital", "founded_on", "website",
          "contact_name", "contact_phone", "contact_email", "partner_types", "channel", "invitation_code",
          "recommender_name", "summary", "kind", "declaration", "expected_state", "message", "reason", "contact"]
POSTS = st.dictionaries(st.sampled_from(FIELDS), st.one_of(TEXT, st.lists(TEXT, max_size=3)), max_size=8)
fuzz = settings(max_examples=25, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
STEPS = ["organization", "types", "profiles", "channel", "attachments", "review"]


@pytest.mark.django_db
@pytest.mark.parametrize("step", STEPS)
def test_wizard_steps_answer_any_post_without_a_server_error(client, applicant, draft, other_applicant, step):
    from tests.factories import submitted_application

    others = submitted_application(other_applicant)
    before = Application.objects.filter(pk=others.pk).values().get()
    client.force_login(applicant)
    url = reverse("portal:step", kwargs={"pk": draft.pk, "step": step})

    @given(data=POSTS)
    @fuzz
    def run(data):
        response = client.post(url, data)
        assert response.status_code < 500

    run()
    after = Application.objects.filter(pk=others.pk).values().get()
    assert after == before


@pytest.mark.django_db
def test_claim_form_answers_any_post(client, applicant):
    client.force_login(applicant)
    url = reverse("portal:claim")

    @given(data=POSTS)
    @fuzz
    def run(data):
        assert client.post(url, data).status_code < 500

    run()


@pytest.mark.django_db
def test_objection_form_answers_any_post(client, applicant, reviewer, approver):
    from partners.enums import ApplicationState
    from tests.factories import advance, submitted_application

    application = advance(submitted_application(applicant), ApplicationState.PUBLICITY, reviewer=reviewer,
                          approver=approver)
    url = reverse("publicity:objection", kwargs={"public_id": application.public_id})

    @given(data=POSTS)
    @fuzz
    def run(data):
        assert client.post(url, data).status_code < 500

    run()
