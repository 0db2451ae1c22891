"""The demo data set: built through the workflow, every state and type covered, and a second run changes nothing."""

import io

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.utils import translation

from partners.demo import DEMO_DOMAIN, DEMO_PASSWORD
from partners.demo.data import credit_code, organizations
from partners.demo.pdf import make_pdf
from partners.enums import ApplicationState, PartnerType
from partners.models import (
    Application,
    Attachment,
    AuditEvent,
    Decision,
    Membership,
    MembershipGrant,
    Organization,
    RequestedType,
    Revision,
    User,
)
from partners.validators import credit_code_errors

COUNTED = [Organization, Application, RequestedType, Attachment, Revision, Decision, Membership, MembershipGrant,
           AuditEvent, User, EmailAddress]


def counts():
    return {model.__name__: model.objects.count() for model in COUNTED}


@pytest.fixture
def seeded(db, settings):
    settings.AXES_ENABLED = False
    call_command("seed_demo", "--force", stdout=io.StringIO())


def test_refuses_without_debug_unless_forced(db, settings):
    settings.DEBUG = False
    with translation.override("en"), pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo")
    assert Organization.objects.count() == 0


def test_second_run_changes_nothing(seeded, capsys):
    before = counts()
    with translation.override("en"):
        call_command("seed_demo", "--force")
    assert counts() == before
    assert f"{len(organizations())} already present" in capsys.readouterr().out


def test_every_state_and_every_type_is_present(seeded):
    states = set(Application.objects.values_list("state", flat=True))
    assert states == set(ApplicationState.values)
    assert set(RequestedType.objects.values_list("partner_type", flat=True)) == set(PartnerType.values)
    assert Organization.objects.count() >= 60


def test_organisations_spread_over_districts_with_valid_codes(seeded):
    assert Organization.objects.exclude(district="outside").values("district").distinct().count() == 16
    outside = Organization.objects.filter(district="outside")
    assert outside.count() >= 3 and not outside.filter(province="").exists()
    assert Organization.objects.filter(in_etown=True).count() >= 3
    for code in Organization.objects.values_list("credit_code", flat=True):
        assert credit_code_errors(code) == []


def test_codes_are_derived_from_the_files_deterministically():
    first = [code for _entry, code in organizations()]
    assert first == [credit_code(entry) for entry, _code in organizations()]
    assert len(set(first)) == len(first)


def test_states_were_reached_through_the_workflow(seeded):
    for application in Application.objects.exclude(state=ApplicationState.DRAFT):
        actions = list(application.events.values_list("action", flat=True))
        assert "application.submitted" in actions
        assert application.revisions.exists()
        assert application.attachments.filter(kind=Attachment.Kind.BUSINESS_LICENCE).exists()
    for application in Application.objects.filter(state=ApplicationState.ADMITTED):
        assert "application.admitted" in application.events.values_list("action", flat=True)
        assert application.organization.membership.number.startswith("BJAI-")
        assert application.first_reviewed_by != application.final_decided_by
    for application in Application.objects.filter(state=ApplicationState.PUBLICITY):
        assert application.decisions.filter(level=Decision.Level.FINAL, action="approve").exists()
    resubmitted = Application.objects.filter(events__action="application.resubmitted").distinct()
    assert resubmitted.exists() and all(a.revisions.count() == 2 for a in resubmitted)
    assert Application.objects.filter(state=ApplicationState.PUBLICITY, objections__isnull=False).exists()


def test_demo_accounts_log_in_with_the_shared_password(seeded, rf):
    for local in ("applicant", "reviewer", "approver", "officer", "admin"):
        email = f"{local}@{DEMO_DOMAIN}"
        assert authenticate(rf.get("/"), email=email, password=DEMO_PASSWORD) is not None, email
        assert EmailAddress.objects.get(email=email).verified
    admin = User.objects.get(email=f"admin@{DEMO_DOMAIN}")
    assert admin.is_staff and admin.has_role("administrator") and not admin.is_superuser
    # 三员分立: three different people hold the administrative roles; no superuser is left after the split.
    holders = [User.objects.get(email=f"{local}@{DEMO_DOMAIN}") for local in ("sysadmin", "secadmin", "auditadmin")]
    assert [h.has_role(r) for h, r in zip(holders, ("system_admin", "security_admin", "audit_admin"), strict=True)] == [True] * 3
    assert not User.objects.filter(is_superuser=True).exists()
    assert User.objects.get(email=f"reviewer@{DEMO_DOMAIN}").has_role("reviewer")
    applicant = User.objects.get(email=f"applicant@{DEMO_DOMAIN}")
    assert applicant.organizations.get().applications.count() == 2


def test_logins_are_printed(db, settings, capsys):
    call_command("seed_demo", "--force")
    out = capsys.readouterr().out
    for local in ("applicant", "reviewer", "approver", "officer", "admin"):
        assert f"{local}@{DEMO_DOMAIN}" in out
    assert DEMO_PASSWORD in out


def test_demo_mail_is_cancelled_when_mail_would_go_out(db, settings):
    from partners.models import Notification

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    call_command("seed_demo", "--force", stdout=io.StringIO())
    assert Notification.objects.exists()
    assert not Notification.objects.filter(state="pending").exists()


def test_generated_pdf_is_well_formed():
    pdf = make_pdf(["Business licence", "Name (with brackets)"])
    assert pdf.startswith(b"%PDF-1.4") and pdf.rstrip().endswith(b"%%EOF")
    xref_at = int(pdf.rsplit(b"startxref\n", 1)[1].split(b"\n")[0])
    assert pdf[xref_at:].startswith(b"xref")
    import magic

    assert magic.from_buffer(pdf, mime=True) == "application/pdf"
