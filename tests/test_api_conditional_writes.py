"""Writes that cannot overwrite what they did not see: ETags on reads and writes, If-Match (412 when stale,
strong comparison), If-None-Match (weak comparison), HEAD; an Idempotency-Key whose first answer was a
refusal is free for the corrected retry; race losers get 409 and four-eyes refusals their own code."""

import pytest
from django.contrib.auth.models import Group

from partners.enums import ApplicationState
from partners.models import IdempotencyRecord
from tests.api_helpers import client_for, key_for
from tests.api_world import build_world
from tests.factories import advance, make_staff, submitted_application
from tests.test_api_resources import error_of

pytestmark = pytest.mark.django_db


def test_reads_and_writes_carry_the_etag_of_what_they_show():
    w = build_world()
    client = client_for(w.tokens["a"])
    url = f"/api/v1/applications/{w.draft_a.public_id}/"
    read = client.get(url)
    written = client.patch(url, {"contact_title": "总经理"}, format="json")
    assert written.status_code == 200 and written["ETag"] not in ("", read["ETag"])
    assert client.get(url)["ETag"] == written["ETag"]  # the write's tag is the tag of the next read
    created = client.post("/api/v1/applications/", {}, format="json")
    assert created.status_code == 201 and created["ETag"].startswith('"')


def test_if_match_refuses_a_stale_write_and_lets_a_current_one_through():
    w = build_world()
    client = client_for(w.tokens["a"])
    url = f"/api/v1/applications/{w.draft_a.public_id}/"
    seen = client.get(url)["ETag"]
    client.patch(url, {"contact_title": "董事长"}, format="json")  # someone else's change
    stale = client.patch(url, {"contact_title": "总经理"}, format="json", HTTP_IF_MATCH=seen)
    error_of(stale, 412, "precondition_failed")
    w.draft_a.refresh_from_db()
    assert w.draft_a.contact_title == "董事长"  # nothing of the stale write landed
    current = client.get(url)["ETag"]
    ok = client.patch(url, {"contact_title": "总经理"}, format="json", HTTP_IF_MATCH=f'"nope", {current}')
    assert ok.status_code == 200
    assert client.patch(url, {"contact_title": "经理"}, format="json", HTTP_IF_MATCH="*").status_code == 200


def test_if_match_compares_strongly_and_if_none_match_weakly():
    w = build_world()
    client = client_for(w.tokens["a"])
    url = f"/api/v1/applications/{w.draft_a.public_id}/"
    etag = client.get(url)["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=f"W/{etag}").status_code == 304  # weak comparison
    weak = client.patch(url, {"contact_title": "总经理"}, format="json", HTTP_IF_MATCH=f"W/{etag}")
    error_of(weak, 412, "precondition_failed")  # a weak tag never matches If-Match


def test_workflow_actions_honour_if_match():
    w = build_world()
    client = client_for(w.tokens["a"])
    url = f"/api/v1/applications/{w.submitted_a.public_id}/"
    seen = client.get(url)["ETag"]
    reviewer = client_for(w.tokens["reviewer"])
    assert reviewer.post(f"{url}actions/start_review/", {}, format="json").status_code == 200
    stale = client.post(f"{url}actions/withdraw/", {"reason": "late"}, format="json", HTTP_IF_MATCH=seen)
    error_of(stale, 412, "precondition_failed")
    w.submitted_a.refresh_from_db()
    assert w.submitted_a.state == ApplicationState.IN_REVIEW


def test_head_answers_like_get_without_a_body():
    w = build_world()
    client = client_for(w.tokens["a"])
    url = f"/api/v1/applications/{w.draft_a.public_id}/"
    head = client.head(url)
    assert head.status_code == 200 and head.content == b""
    assert head["ETag"] == client.get(url)["ETag"]
    assert client.head(url, HTTP_IF_NONE_MATCH=head["ETag"]).status_code == 304


def test_an_idempotency_key_refused_as_invalid_is_free_for_the_corrected_retry():
    w = build_world()
    client = client_for(w.tokens["a"])
    bad = client.post("/api/v1/applications/", {"partner_types": ["no-such-type"]}, format="json",
                      HTTP_IDEMPOTENCY_KEY="create-1")
    assert bad.status_code == 400
    assert not IdempotencyRecord.objects.filter(key="create-1").exists()
    good = client.post("/api/v1/applications/", {"partner_types": []}, format="json",
                       HTTP_IDEMPOTENCY_KEY="create-1")
    assert good.status_code == 201
    again = client.post("/api/v1/applications/", {"partner_types": []}, format="json",
                        HTTP_IDEMPOTENCY_KEY="create-1")
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == good.json()["id"]


def test_a_conflict_is_kept_for_replay():
    w = build_world()
    client = client_for(w.tokens["a"])
    url = f"/api/v1/applications/{w.admitted_a.public_id}/actions/withdraw/"
    first = client.post(url, {"reason": "x"}, format="json", HTTP_IDEMPOTENCY_KEY="wd-1")
    assert first.status_code == 409
    again = client.post(url, {"reason": "x"}, format="json", HTTP_IDEMPOTENCY_KEY="wd-1")
    assert again.status_code == 409 and again["Idempotent-Replayed"] == "true"


def test_the_loser_of_a_race_gets_409_whatever_role_the_new_state_needs():
    w = build_world()
    application = submitted_application(w.applicant_b, types=("model",))
    application = advance(application, ApplicationState.IN_REVIEW, reviewer=w.reviewer)
    other_reviewer = make_staff("reviewer", email="second-reviewer@example.com")
    _key, token = key_for(other_reviewer)
    url = f"/api/v1/applications/{application.public_id}/actions/"
    recommendation = {"message": "ok", "recommendations": {"model": "grant"}}
    passed = client_for(w.tokens["reviewer"]).post(f"{url}pass_to_final/", recommendation, format="json")
    assert passed.status_code == 200, passed.content
    # The second reviewer still sees "in review" and rejects: that needs an approver now, but they lost a race.
    late = client_for(token).post(f"{url}reject/", {"message": "no"}, format="json")
    error_of(late, 409)


def test_four_eyes_refusals_have_their_own_code():
    w = build_world()
    both = make_staff("approver", email="both-roles@example.com")
    both.groups.add(Group.objects.get(name="reviewer"))
    _key, token = key_for(both)
    application = advance(submitted_application(w.applicant_b, types=("model",)), ApplicationState.FINAL_REVIEW,
                          reviewer=both)  # they reviewed it at first review
    refused = client_for(token).post(
        f"/api/v1/applications/{application.public_id}/actions/approve/", {"granted_types": ["model"]}, format="json")
    error_of(refused, 403, "four_eyes")
