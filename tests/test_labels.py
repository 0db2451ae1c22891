"""Every code shown to a person has a translated label, and times are shown in Beijing time."""

import re
from datetime import UTC, datetime
from pathlib import Path

from django.urls import reverse
from django.utils import translation

from partners import labels, workflow
from partners.enums import ApplicationState, MembershipState
from partners.event_types import event_types
from partners.models import SecurityEvent
from partners.services.audit import log_security
from partners.templatetags.labels import local_time
from tests.factories import advance

PARTNERS = Path(__file__).resolve().parents[1] / "partners"
# Security events are written by these calls with the code as their first argument (or by the MFA receivers).
SECURITY_CALL = re.compile(r"(?:\baudit|log_security|audit_refusal|_mfa_receiver)\(\s*\"([a-z_]+\.[a-z_]+)\"")
LATIN_WORD = re.compile(r"[A-Za-z]{3,}")
ALLOWED_LATIN = {"API", "Webhook"}


def security_codes():
    return {code for path in PARTNERS.rglob("*.py") for code in SECURITY_CALL.findall(path.read_text("utf-8"))}


def _chinese(label) -> bool:
    with translation.override("zh-hans"):
        text = str(label)
    return not (set(LATIN_WORD.findall(text)) - ALLOWED_LATIN)


def test_every_event_code_has_a_translated_label():
    processes = [*workflow.TRANSITIONS, *workflow.VERIFICATION.transitions]
    codes = set(event_types()) | {t.code for t in processes}
    assert codes <= set(labels.EVENT_LABELS), sorted(codes - set(labels.EVENT_LABELS))
    found = security_codes()
    assert "session.replaced" in found and "mfa.added" in found
    assert found <= set(labels.SECURITY_LABELS), sorted(found - set(labels.SECURITY_LABELS))
    for label in [*labels.EVENT_LABELS.values(), *labels.SECURITY_LABELS.values(), *labels.ACTION_LABELS.values(),
                  *labels.OUTCOME_LABELS.values(), *labels.RESULT_LABELS.values(),
                  *labels.LOGIN_KIND_LABELS.values()]:
        assert _chinese(label), str(label)
    assert {t.action for t in processes} <= set(labels.ACTION_LABELS)


def test_labels_of_states_languages_and_unknown_codes():
    with translation.override("zh-hans"):
        assert labels.event_label("application.created") == "创建申请"
        assert labels.event_label("session.replaced") == "在别处登录，之前的会话已结束"
        assert labels.state_label("draft") == "草稿"
        assert labels.language_label("zh-hans") == "简体中文"
        assert labels.language_label("") == "简体中文"
        assert labels.action_label("request_changes") == "要求补正"
        assert labels.outcome_label("grant") == "建议通过"
        # A code nobody labelled is never shown in its dotted form.
        assert labels.event_label("some.new_code") == "New code"
    with translation.override("zh-hans"):
        for code in [*ApplicationState.values, *MembershipState.values]:
            assert not LATIN_WORD.findall(labels.state_label(code)), code
    with translation.override("en"):
        assert labels.language_label("zh-hans") == "Simplified Chinese"


def test_times_are_shown_in_beijing_time():
    assert local_time("2026-03-01T16:30:00+00:00") == "2026-03-02 00:30"
    assert local_time(datetime(2026, 3, 1, 16, 30, tzinfo=UTC)) == "2026-03-02 00:30"
    assert local_time(None) == ""


RAW = re.compile(r"\b(?:application|objection|member|organization|session|auth)\.[a-z_]+\b|→ [a-z_]+\b")


def _text(html):
    body = html[html.index("<main"):html.index("</main>")]
    return re.sub(r"<[^>]+>", " ", body)


def test_timeline_and_decisions_show_labels(client, reviewer, approver, submitted):
    application = advance(submitted, ApplicationState.FINAL_REVIEW, reviewer=reviewer)
    workflow.fire(application.pk, "return_to_review", workflow.Actor(user=approver), message="再核实")
    client.force_login(reviewer)
    text = _text(client.get(reverse("review:detail", args=[application.pk])).content.decode())
    assert not RAW.findall(text), RAW.findall(text)
    for code in ("request_changes", "pass_to_final", "return_to_review", "in_review", "final_review"):
        assert code not in text
    assert "已提交" in text and "已转入复审" in text and "提交复审" in text and "→ 复审" in text
    assert "建议通过" in text  # the per-type recommendation of the decision


def test_my_data_shows_labels_and_beijing_time(client, applicant):
    log_security("session.replaced", user=applicant, ip="10.0.0.1", object_ref=f"user:{applicant.pk}")
    event = SecurityEvent.objects.filter(actor=applicant).latest("id")
    applicant.language = "zh-hans"
    applicant.save()
    client.force_login(applicant)
    text = _text(client.get(reverse("privacy:my_data")).content.decode())
    assert "在别处登录，之前的会话已结束" in text and "session.replaced" not in text
    assert "zh-hans" not in text and "简体中文" in text
    assert local_time(event.created_at) in text
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:", text), "ISO times in UTC"
