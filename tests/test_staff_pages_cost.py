"""The staff queue's rows and an application's staff page: the same text the models display, in a fixed number of
queries whatever the number of rows."""

import re
from datetime import UTC, datetime

import pytest
from django.conf import settings
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from partners.enums import ApplicationState, PartnerType
from partners.models import Application, District, Organization
from tests.factories import OrganizationFactory, UserFactory, add_history, submitted_application

# The queue's rows as the template wrote them from model instances before the rows became plain values.
MODEL_ROWS = Template("""{% load i18n %}{% for a in page %}<tr>
      <td><input class="form-check-input" type="checkbox" name="ids" value="{{ a.pk }}" id="pick-{{ a.pk }}" aria-label="{% translate 'Select' %} {{ a.organization.name }}"></td>
      <td>{{ a.pk }}</td>
      <td><a href="{% url 'review:detail' a.pk %}">{{ a.organization.name }}</a></td>
      <td><code>{{ a.organization.credit_code }}</code></td>
      <td>{{ a.organization.district|default:"" }}</td>
      <td>{{ a.get_partner_types_display }}</td>
      <td>{{ a.get_channel_display }}</td>
      <td>{{ a.get_state_display }}</td>
      <td>{{ a.submitted_at|date:"Y-m-d" }}</td>
      <td>{{ a.assigned_reviewer|default:"—" }}</td>
    </tr>{% endfor %}""")


def rows_of(html):
    return re.search(r"<tbody>\s*(.*?)\s*</tbody>", html, re.S).group(1)


@pytest.fixture
def varied(db, reviewer):
    """Applications whose cells differ in every way a cell can: no district, a reviewer with and without a display
    name, several types, no channel, a submission late in the UTC day (the next day in Beijing), markup in names."""
    nobody_named = UserFactory(display_name="")
    made = []
    for i, (district, types) in enumerate([(None, (PartnerType.DATA, PartnerType.COMPUTE)),
                                           ("110105", (PartnerType.COMPUTE,)),
                                           ("110108", (PartnerType.DATA,))]):
        org = OrganizationFactory(name=f"<b>北京 & 九章</b> {i}", district=District.objects.get(code=district or "110108"))
        made.append(submitted_application(org.owner, types=types))
        if district is None:  # only a submitted application's organisation can have lost its district
            Organization.objects.filter(pk=org.pk).update(district=None)
    Application.objects.filter(pk=made[0].pk).update(
        submitted_at=datetime(2024, 5, 31, 17, 30, tzinfo=UTC), channel="", assigned_reviewer=reviewer)
    Application.objects.filter(pk=made[1].pk).update(assigned_reviewer=nobody_named,
                                                     state=ApplicationState.IN_REVIEW)
    return made


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("query", [{}, {"sort": "name"}, {"q": "九章"}, {"district": "110105"}])
def test_queue_rows_are_what_the_models_display(client, reviewer, varied, language, query):
    client.force_login(reviewer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(reverse("review:queue"), query)
    assert response.status_code == 200 and response.headers["Content-Language"] == language
    pks = [row.pk for row in response.context["page"]]
    assert pks, "the filter found nothing to compare"
    shown = {a.pk: a for a in Application.objects.select_related(
        "organization", "organization__district", "assigned_reviewer").prefetch_related("requested_types")
        .filter(pk__in=pks)}
    with translation.override(language):
        expected = MODEL_ROWS.render(Context({"page": [shown[pk] for pk in pks]}))
    assert rows_of(response.content.decode()) == expected.strip()


def test_a_late_submission_shows_its_local_date(client, reviewer, varied):
    client.force_login(reviewer)
    html = client.get(reverse("review:queue")).content.decode()
    assert "<td>2024-06-01</td>" in html and "2024-05-31" not in html


def queries_of(client, url):
    client.get(url)  # the first request of a session adopts its staff session (a write), and so on
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in queries.captured_queries]


def add_rows(reviewer, n):
    for i in range(n):
        application = submitted_application(OrganizationFactory(name=f"北京九章智算有限公司{i}").owner,
                                            types=(PartnerType.DATA, PartnerType.COMPUTE))
        if i % 2:
            Application.objects.filter(pk=application.pk).update(assigned_reviewer=reviewer)


# Pinned: the session's person, their roles, their staff session, their second factor, the kept counts (or, for a
# search or another filter, the counts), the districts and calls of the filter, the page's rows with their
# requested types, the reviewers one may assign to, the unread notifications; a district filter also looks its
# district up, a search counts the organisations it matches.
QUEUE_QUERIES = [("", 10), ("?state=submitted", 10), ("?partner_type=data&district=110108", 11),
                 ("?q=九章", 11), ("?unassigned=1&sort=name", 10)]


@pytest.mark.parametrize(("query", "expected"), QUEUE_QUERIES)
def test_the_queue_costs_the_same_queries_for_5_rows_as_for_30(client, reviewer, query, expected):
    client.force_login(reviewer)
    url = reverse("review:queue") + query
    add_rows(reviewer, 5)
    small = queries_of(client, url)
    add_rows(reviewer, 25)
    large = queries_of(client, url)
    assert len(small) == len(large) == expected, "\n".join(large)
    # Short lists come in one plain query each, never through a server-side cursor.
    assert not any(sql.startswith("DECLARE") for sql in large)


def test_the_application_page_costs_the_same_queries_for_5_events_as_for_30(client, reviewer, applicant, submitted):
    client.force_login(reviewer)
    # Another application of the organisation: its history (with the types of each) is one query.
    submitted_application(applicant, types=(PartnerType.COMPUTE,))
    url = reverse("review:detail", args=[submitted.pk])

    def grow(n):
        add_history(submitted, reviewer, n)

    grow(5)
    small = queries_of(client, url)
    grow(25)
    large = queries_of(client, url)
    assert len(small) == len(large) == 22, "\n".join(large)
    # Each requested type's profile comes with the application: no query of a profile table of its own.
    assert not any(re.match(r'SELECT .* FROM "partners_\w+profile" WHERE', sql) for sql in large), large
