"""Bad input on every applicant form: oversized fields, forged choices and counts, and HTML always escaped."""

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from partners import workflow
from partners.enums import ApplicationState, PartnerType
from partners.forms.application import ContactForm
from partners.forms.organization import OrganizationForm
from partners.forms.profiles import PROFILE_FORMS, ScenarioForm
from partners.models import Application, JoinRequest, ReviewMessage
from tests.factories import TINY_PDF, OrganizationFactory, UserFactory, advance
from tests.portal_helpers import org_data, scenario_management, step_url

pytestmark = pytest.mark.django_db
HUGE = "长" * 100_000
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def text_fields(form_class, prefix):
    form = form_class()
    return [f"{prefix}-{name}" for name, field in form.fields.items()
            if type(field) is forms.CharField and not isinstance(field.widget, forms.HiddenInput)]


@pytest.fixture
def logged_in(client, applicant):
    client.force_login(applicant)
    return client


@pytest.fixture
def typed_draft(draft, applicant):
    from partners.services.applications import set_partner_types

    set_partner_types(applicant, draft, list(PartnerType.values))
    return draft


def profiles_post(application, **overrides):
    data = {"save": "", **scenario_management()}
    data.update(overrides)
    return data


def snapshot(application):
    from partners.services.snapshot import snapshot as take

    application = Application.objects.get(pk=application.pk)
    return take(application)


def test_every_text_field_of_step_one_refuses_100000_characters(logged_in, draft):
    org = draft.organization
    fields = text_fields(OrganizationForm, "org") + text_fields(ContactForm, "contact")
    assert "org-description" in fields and "contact-contact_name" in fields
    before = snapshot(draft)
    for name in fields:
        response = logged_in.post(step_url(draft, "organization"), {**org_data(org), name: HUGE, "save": ""})
        assert response.status_code == 400, name
        assert "invalid-feedback" in response.content.decode(), name
    assert snapshot(draft) == before


def test_every_profile_text_field_refuses_100000_characters(logged_in, typed_draft):
    names = []
    for t, form_class in PROFILE_FORMS.items():
        names += text_fields(form_class, t)
    names += [n.replace("scenarios-", "scenarios-0-") for n in text_fields(ScenarioForm, "scenarios")]
    assert "scenarios-0-description" in names and "model-algorithm_filing" in names
    before = snapshot(typed_draft)
    for name in names:
        response = logged_in.post(step_url(typed_draft, "profiles"), profiles_post(typed_draft, **{name: HUGE}))
        assert response.status_code == 400, name
    assert snapshot(typed_draft) == before


@pytest.mark.parametrize(("url_name", "data"), [
    ("channel", {"channel": "industry", "recommender_name": HUGE}),
    ("channel", {"channel": "invitation", "invitation_code": HUGE}),
])
def test_channel_fields_refuse_100000_characters(logged_in, draft, url_name, data):
    response = logged_in.post(step_url(draft, url_name), {**data, "save": ""})
    assert response.status_code == 400
    draft.refresh_from_db()
    assert draft.channel == "" and draft.recommender_name == ""


def test_other_portal_forms_refuse_100000_characters(logged_in, applicant, organization, submitted):
    response = logged_in.post(reverse("portal:application_action", args=[submitted.pk, "withdraw"]),
                              {"reason": HUGE, "expected_state": "submitted"})
    assert response.status_code == 400
    submitted.refresh_from_db()
    assert submitted.state == ApplicationState.SUBMITTED
    response = logged_in.post(reverse("portal:claim"), {"credit_code": HUGE, "name": HUGE, "message": HUGE})
    assert response.status_code == 400
    response = logged_in.post(reverse("portal:colleague_add", args=[organization.pk]),
                              {"email": UserFactory().email, "title": HUGE})
    assert response.status_code == 400
    assert organization.memberships_of_people.count() == 1


@pytest.mark.parametrize(("step", "data"), [
    ("types", {"partner_types": ["superpartner"]}),
    ("channel", {"channel": "vip"}),
    ("organization", {"org-district": "999999"}),
    ("organization", {"org-org_type": "<b>nope</b>"}),
    ("organization", {"contact-contact_phone": "12345"}),
    ("organization", {"org-registered_capital": "-5"}),
    ("attachments", {"kind": "recommendation_forged"}),
    ("review", {"expected_state": "nonsense", "declaration": "on"}),
])
def test_forged_choices_are_form_errors(logged_in, draft, step, data):
    before = snapshot(draft)
    post = {**org_data(draft.organization), **data, "save": ""} if step == "organization" else {**data, "save": ""}
    if step == "attachments":
        post["file"] = SimpleUploadedFile("a.pdf", TINY_PDF)
    response = logged_in.post(step_url(draft, step), post)
    assert response.status_code == 400, response.content.decode()[:500]
    assert snapshot(draft) == before


def test_an_invalid_filing_number_is_a_form_error(logged_in, typed_draft):
    response = logged_in.post(step_url(typed_draft, "profiles"),
                              profiles_post(typed_draft, **{"model-algorithm_filing": "网信算备123号"}))
    assert response.status_code == 400
    assert "网信算备" in response.content.decode()


def test_a_forged_scenario_count_is_refused(logged_in, typed_draft):
    data = profiles_post(typed_draft, **scenario_management(total=5000))
    for i in range(20):
        data[f"scenarios-{i}-title"] = f"场景{i}"
        data[f"scenarios-{i}-description"] = "描述"
    response = logged_in.post(step_url(typed_draft, "profiles"), data)
    assert response.status_code == 400
    from partners.models import Scenario

    assert Scenario.objects.count() == 0


def test_a_forged_step_name_is_not_found(logged_in, draft):
    assert logged_in.post(step_url(draft, "decide"), {"save": ""}).status_code == 404


def test_html_in_every_text_field_is_always_shown_escaped(client, applicant, typed_draft, reviewer):
    application = typed_draft
    org = application.organization
    client.force_login(applicant)
    step1 = {**org_data(org), "save": ""}
    for form_class, prefix in ((OrganizationForm, "org"), (ContactForm, "contact")):
        fields = form_class().fields
        for name in text_fields(form_class, prefix):
            # A phone number and a credit code are validated, so HTML never gets in.
            if name not in ("contact-contact_phone", "org-beijing_entity_credit_code"):
                step1[name] = XSS[:fields[name.split("-", 1)[1]].max_length]
    response = client.post(step_url(application, "organization"), step1)
    assert response.status_code == 302, (response.context["org_form"].errors, response.context["contact_form"].errors)
    profiles = profiles_post(application)
    for t, form_class in PROFILE_FORMS.items():
        for name in text_fields(form_class, t):
            if not name.endswith("_filing"):
                profiles[name] = XSS
    for name in text_fields(ScenarioForm, "scenarios"):
        profiles[name.replace("scenarios-", "scenarios-0-")] = XSS
    response = client.post(step_url(application, "profiles"), profiles)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert client.post(step_url(application, "channel"),
                       {"channel": "industry", "recommender_name": XSS, "save": ""}).status_code == 302
    assert client.post(step_url(application, "attachments"), {
        "kind": "licence", "file": SimpleUploadedFile('<script>alert("x")</script>.pdf', TINY_PDF)},
    ).status_code == 302
    JoinRequest.objects.create(organization=org, user=UserFactory(display_name=XSS[:100]), message=XSS)

    pages = [client.get(step_url(application, step)) for step in
             ("organization", "profiles", "channel", "attachments", "review")]
    pages += [client.get(reverse("portal:home")), client.get(reverse("portal:organization", args=[org.pk])),
              client.get(reverse("portal:application", args=[application.pk]))]
    # Staff write to the applicant too; their words are escaped as well.
    from tests.factories import add_licence

    application.channel = "self"
    application.declaration_accepted = True
    application.save()
    add_licence(application)
    from partners.services.applications import submit

    try:
        submit(applicant, application)
    except workflow.TransitionError:
        pass  # the XSS payload may not be a valid value everywhere; escaping is what matters here
    application.refresh_from_db()
    if application.state == ApplicationState.SUBMITTED:
        advance(application, ApplicationState.IN_REVIEW, reviewer=reviewer)
        workflow.fire(application.pk, "request_changes", workflow.Actor(user=reviewer), message=XSS, points=[XSS])
    else:
        ReviewMessage.objects.create(application=application, author=reviewer, body=XSS, points=[XSS])
    pages.append(client.get(reverse("portal:application", args=[application.pk])))
    for response in pages:
        assert response.status_code == 200, response.request["PATH_INFO"]
        page = response.content.decode()
        assert '<script>alert("x")' not in page, response.request["PATH_INFO"]
        assert "<img src=x" not in page, response.request["PATH_INFO"]
    assert any("&lt;script&gt;alert(" in r.content.decode() for r in pages)


def test_someone_elses_join_request_cannot_be_decided(client, applicant):
    stranger_org = OrganizationFactory()
    join_request = JoinRequest.objects.create(organization=stranger_org, user=UserFactory())
    client.force_login(applicant)
    assert client.post(reverse("portal:join_request_decide", args=[join_request.pk, "approve"])).status_code == 404
    join_request.refresh_from_db()
    assert join_request.state == "pending"


def test_steps_still_demand_the_csrf_token(applicant, draft):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(applicant)
    response = client.post(step_url(draft, "types"), {"partner_types": ["data"], "save": ""})
    assert response.status_code == 403
    assert draft.requested_types.count() == 0
