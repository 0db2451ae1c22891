"""Machinery of the permission matrix: the world of identities and objects, URL discovery, request running."""

import re
from dataclasses import dataclass, field
from http.cookies import SimpleCookie

from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from partners.enums import ApplicationState, OrgRole
from partners.models import Decision, Industry, JoinRequest, Notification, OrganizationMember
from partners.models.api import APPLICANT_SCOPES, WebhookSubscription
from tests.factories import (
    TINY_PDF,
    ApplicationFactory,
    OrganizationFactory,
    UserFactory,
    add_licence,
    advance,
    make_staff,
    submitted_application,
)

IDENTITIES = ("anonymous", "applicant_a", "applicant_b", "colleague_a", "reviewer", "approver",
              "service_officer", "administrator")


@dataclass
class Route:
    """One URL pattern: its table key, its URL name (for reverse) and the names of its parameters."""

    key: str
    name: str | None
    route: str
    params: tuple
    default_kwargs: dict = field(default_factory=dict)
    regex: object = None


def _params(pattern):
    if hasattr(pattern.pattern, "converters") and pattern.pattern.converters:
        return tuple(pattern.pattern.converters)
    regex = getattr(pattern.pattern, "_regex", None) or str(pattern.pattern)
    return tuple(re.compile(regex).groupindex)


def discover_routes(patterns=None, prefix="", namespace=""):
    """Every URL pattern of the project, with namespaced names; unnamed patterns are keyed by route."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from discover_routes(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            route = prefix + str(p.pattern)
            params = tuple(_params(p))
            name = f"{namespace}{p.name}" if p.name else None
            regex = None
            if not getattr(p.pattern, "converters", None):
                regex = re.compile(getattr(p.pattern, "_regex", None) or str(p.pattern))
            yield Route(key=name or f"{namespace}<{route}>", name=name, route=route, params=params,
                        default_kwargs=dict(p.default_args or {}), regex=regex)


def activate_second_factor(user):
    """Staff work with a second factor; give them one so an MFA requirement does not mask the matrix."""
    try:
        from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    except ImportError:  # pragma: no cover - allauth without mfa
        return
    TOTP.activate(user, generate_totp_secret())


def _applicant_scopes():
    return [str(s) for s in APPLICANT_SCOPES]


class World:
    """Two organisations (A with owner and colleague, B), staff in each role, and objects in known states."""

    def __init__(self):
        self.applicant_a = UserFactory(email="applicant-a@example.com")
        self.org_a = OrganizationFactory(owner=self.applicant_a)
        self.colleague_a = UserFactory(email="colleague-a@example.com")
        OrganizationMember.objects.create(organization=self.org_a, user=self.colleague_a, role=OrgRole.COLLEAGUE)
        self.applicant_b = UserFactory(email="applicant-b@example.com")
        self.org_b = OrganizationFactory(owner=self.applicant_b)

        self.reviewer = make_staff("reviewer", email="reviewer-m@example.com")
        self.approver = make_staff("approver", email="approver-m@example.com")
        self.service_officer = make_staff("service_officer", email="officer-m@example.com")
        self.administrator = make_staff("administrator", email="admin-m@example.com")
        # The administrator also runs the Django admin (reference data, staff accounts).
        self.administrator.is_staff = self.administrator.is_superuser = True
        self.administrator.save()
        for person in (self.reviewer, self.approver, self.service_officer, self.administrator):
            activate_second_factor(person)

        # A's application is in first review; A also has a draft; B has a submitted application.
        self.application_a = advance(submitted_application(self.applicant_a), ApplicationState.IN_REVIEW,
                                     reviewer=self.reviewer)
        self.draft_a = ApplicationFactory(organization=self.org_a, created_by=self.applicant_a)
        self.application_b = submitted_application(self.applicant_b)
        self.attachment_a = self.application_a.attachments.first()
        self.attachment_b = self.application_b.attachments.first()
        self.draft_attachment_a = add_licence(self.draft_a, self.applicant_a)
        self.join_request_a = JoinRequest.objects.create(organization=self.org_a, user=UserFactory(
            email="wants-to-join-a@example.com"))
        from partners.services.invitations import invite_colleague

        self.invitation_a = invite_colleague(self.applicant_a, self.org_a, "invited-to-a@example.com")
        self.notification_a = Notification.objects.filter(recipient=self.applicant_a).order_by("id").first()
        # A's owner re-proves the organisation: a verification case in draft with one document.
        from django.core.files.base import ContentFile

        from partners.models import VerificationDocument
        from partners.services.verification import open_case

        self.case_a = open_case(self.applicant_a, self.org_a, legal_representative="李明", position="总经理")
        self.case_document_a = VerificationDocument(case=self.case_a, kind="licence", original_name="licence.pdf",
                                                    content_type="application/pdf", size=len(TINY_PDF), sha256="0")
        self.case_document_a.file.save("upload", ContentFile(TINY_PDF), save=True)

        # A is the model team of a pairing (formed) with a user unit, and has a submitted subsidy claim with a
        # document; the pairing and the claim are written directly (their processes have their own tests).
        from partners.models import Pairing, SubsidyClaim, SubsidyDocument

        self.pairing_a = Pairing.objects.create(
            application_partner=OrganizationFactory(), model_partner=self.org_a, proposed_by_side="application",
            state="formed", scenario="矩阵场景", model_title="矩阵模型", starts_on=timezone.localdate(),
            outcome="pilot_case", outcome_evidence="矩阵")
        self.claim_a = SubsidyClaim.objects.create(
            organization=self.org_a, pairing=self.pairing_a, state="submitted", provider_title="矩阵算力",
            provider_credit_code="91110108777700022T", contract_number="HT-MATRIX",
            contract_signed_on=timezone.localdate(), service_starts_on=timezone.localdate(),
            service_ends_on=timezone.localdate(), contract_amount=1000, invoiced_amount=1000,
            compute_delivered="矩阵", year=timezone.localdate().year, claimed_amount=100,
            submitted_at=timezone.now(), created_by=self.applicant_a)
        self.claim_document_a = SubsidyDocument(claim=self.claim_a, kind="contract", original_name="contract.pdf",
                                                content_type="application/pdf", size=len(TINY_PDF), sha256="0")
        self.claim_document_a.file.save("upload", ContentFile(TINY_PDF), save=True)

        # A third organisation is an admitted member (public directory and member page).
        self.member_owner = UserFactory(email="member-owner@example.com")
        member_org = OrganizationFactory(owner=self.member_owner)
        self.member_org = member_org
        admitted = advance(submitted_application(self.member_owner), ApplicationState.PUBLICITY,
                           reviewer=self.reviewer, approver=self.approver)
        from partners.services.membership import admit_due_applications

        admit_due_applications(now=timezone.now() + timezone.timedelta(days=settings.PUBLICITY_DAYS + 1))
        admitted.refresh_from_db()
        self.membership = member_org.membership
        self.admitted_application = admitted

        # A fourth organisation's application is in its public notice period (公示).
        self.publicity_owner = UserFactory(email="publicity-owner@example.com")
        self.publicity_org = OrganizationFactory(owner=self.publicity_owner)
        self.publicity_application = advance(submitted_application(self.publicity_owner),
                                             ApplicationState.PUBLICITY, reviewer=self.reviewer,
                                             approver=self.approver)
        from partners.services.review import file_objection

        self.objection_pk = file_objection(self.publicity_application, name="路人", contact="passer@example.com",
                                           reason="Objection for the matrix.", ip="203.0.113.9").pk
        from django.core.files.base import ContentFile

        from partners.models import ObjectionEvidence

        evidence = ObjectionEvidence(objection_id=self.objection_pk, original_name="evidence.pdf",
                                     content_type="application/pdf", size=4, sha256="0" * 64)
        evidence.file.save("upload", ContentFile(b"%PDF"), save=True)
        self.evidence_pk = evidence.pk
        self.decision_a = Decision.objects.create(application=self.application_a, level=Decision.Level.FIRST,
                                                  action="request_changes", actor=self.reviewer, reason="matrix",
                                                  letter_subject="Matrix", letter_body="Matrix letter.")
        self.industry_code = Industry.objects.values_list("code", flat=True).first()

        # Organisation A's owner has a personal API key with a webhook subscription.
        from partners.services.api_keys import create_key

        key, _token = create_key(self.applicant_a, owner=self.applicant_a, name="matrix",
                                 scopes=_applicant_scopes())
        self.api_key_pk = key.pk
        webhook = WebhookSubscription.objects.create(
            api_key=key, url="https://hooks.example.com/registry", event_types=["application.submitted"],
            secret="matrix-secret")
        self.webhook_pk, self.webhook_public_id = webhook.pk, webhook.public_id

    def user(self, identity):
        return None if identity == "anonymous" else getattr(self, identity)

    def client(self, identity):
        client = Client(raise_request_exception=True)
        user = self.user(identity)
        if user is not None:
            client.force_login(user)
        return client


def url_for(route: Route, world, entry) -> str:
    from tests.permission_matrix_table import KWARGS

    make_kwargs = (entry or {}).get("kwargs") or KWARGS.get(route.key) or (lambda w: {})
    kwargs = dict(make_kwargs(world))
    if "format" in route.params and "format" not in kwargs:
        # DRF's suffix patterns differ: `(?P<format>\.json)` on the root view, `\.(?P<format>json)` elsewhere.
        kwargs["format"] = ".json" if "(?P<format>\\." in route.route or "drf_format_suffix" in route.route else "json"
    kwargs = {k: v for k, v in kwargs.items() if k in route.params}
    missing = [p for p in route.params if p not in kwargs and p not in route.default_kwargs]
    if missing:
        raise LookupError(f"{route.key}: the table gives no value for {missing}")
    if route.name:
        regex = getattr(route, "regex", None)
        if regex is not None and regex.groups > len(regex.groupindex):
            # Positional groups (e.g. simple-history's admin views): any id; the object may not exist.
            return reverse(route.name, args=[1] * (regex.groups - len(regex.groupindex)))
        return reverse(route.name, kwargs=kwargs or None)
    # Unnamed patterns (the admin's own): fill the parameters into the route text.
    text = route.route
    for name, value in kwargs.items():
        text = re.sub(rf"<(?:\w+:)?{name}>|\(\?P<{name}>[^)]*\)", str(value), text)
    text = text.replace("^", "").replace("$", "")
    return "/" + text


def request(client, method, url):
    """One request whose effects are rolled back, so every cell of the matrix sees the same world."""
    cookies = SimpleCookie()
    cookies.load(client.cookies.output(header="", sep=";"))
    with transaction.atomic():
        try:
            if method == "GET":
                response = client.get(url)
            else:
                response = client.post(url, {})
            status = response.status_code
        except Exception as exc:  # noqa: BLE001 - a crash is a finding of the matrix, not a test error
            status = f"500({type(exc).__name__})"
            response = None
        transaction.set_rollback(True)
    client.cookies = cookies  # a logout or login inside the request must not change who asks next
    return status, response
