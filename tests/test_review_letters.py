"""Decision letters: administrators edit them per outcome and language; decisions keep the filled-in letter."""

from django.urls import reverse

from partners.enums import ApplicationState
from partners.models import Decision, DecisionLetterTemplate
from partners.services.letters import DEFAULTS, OUTCOMES, render_letter
from tests.factories import advance


def test_every_outcome_has_a_default_in_both_languages():
    for outcome in OUTCOMES:
        assert (outcome, "zh-hans") in DEFAULTS and (outcome, "en") in DEFAULTS


def test_administrator_edits_a_letter_and_the_next_decision_uses_it(client, administrator, submitted, reviewer,
                                                                    approver):
    client.force_login(administrator)
    listing = client.get(reverse("review:letters"))
    assert listing.status_code == 200 and len(listing.context["letters"]) == 2 * len(OUTCOMES)
    url = reverse("review:letter_edit", args=["approved", "zh-hans"])
    assert "公示期" in client.get(url).context["form"].initial["body"]
    response = client.post(url, {"subject": "审核通过：{{ organization }}",
                                 "body": "{{ organization }}，您申请的{{ granted }}已通过，公示{{ days }}天。"})
    assert response.status_code == 302
    application = advance(submitted, ApplicationState.PUBLICITY, reviewer=reviewer, approver=approver)
    decision = Decision.objects.get(application=application, action="approve")
    assert decision.letter_subject == f"审核通过：{application.organization.name}"
    assert decision.letter_body == f"{application.organization.name}，您申请的数据伙伴已通过，公示7天。"


def test_broken_or_unsafe_templates_are_refused(client, administrator):
    client.force_login(administrator)
    url = reverse("review:letter_edit", args=["rejected", "en"])
    assert client.post(url, {"subject": "x", "body": "{% if %}"}).status_code == 400
    assert client.post(url, {"subject": "x", "body": "{% include 'base.html' %}"}).status_code == 400
    assert not DecisionLetterTemplate.objects.filter(body="{% if %}").exists()
    assert client.post(url, {"subject": "", "body": "y"}).status_code == 400


def test_include_cannot_read_site_templates(administrator, submitted):
    DecisionLetterTemplate.objects.create(outcome="rejected", language="zh-hans", subject="s",
                                          body="{% include 'base.html' %}{{ reason }}")
    subject, body = render_letter("rejected", submitted, reason="理由")
    assert "<html" not in body
    assert "理由" in body  # fell back to the default letter


def test_reset_returns_to_the_default(client, administrator):
    DecisionLetterTemplate.objects.create(outcome="approved", language="en", subject="s", body="b")
    client.force_login(administrator)
    response = client.post(reverse("review:letter_edit", args=["approved", "en"]), {"reset": "1"})
    assert response.status_code == 302
    assert not DecisionLetterTemplate.objects.exists()


def test_unknown_letter_is_404(client, administrator):
    client.force_login(administrator)
    assert client.get(reverse("review:letter_edit", args=["nonsense", "en"])).status_code == 404
    assert client.get(reverse("review:letter_edit", args=["approved", "fr"])).status_code == 404


def test_letter_language_follows_the_owner(submitted, applicant):
    applicant.language = "en"
    applicant.save(update_fields=["language"])
    subject, body = render_letter("rejected", submitted, reason="Incomplete")
    assert subject.startswith("Result of the review") and "Incomplete" in body
