"""Builds the demo data set through the real services and workflow, once: a second run changes nothing."""

import hashlib
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from .. import workflow
from ..enums import ApplicationState as S
from ..enums import Channel, Recommendation
from ..models import (
    Application,
    Attachment,
    InvitationCode,
    Membership,
    Notification,
    Organization,
    OrganizationMember,
)
from ..services import applications as app_services
from ..services import membership as membership_services
from ..services import organizations as org_services
from ..services import review as review_services
from .accounts import DEMO_DOMAIN, DEMO_PASSWORD, ensure_demo_accounts, ensure_user
from .catalogue import seed_catalogue
from .data import application_specs, content, credit_code, digest, mobile, organizations, pick
from .pdf import make_pdf
from .profiles import fill_profile

# Mail backends that never reach a real mailbox; with any other the demo's notifications are cancelled.
LOCAL_MAIL_BACKENDS = {
    "django.core.mail.backends.filebased.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
}


@dataclass
class Result:
    created: int = 0
    skipped: int = 0
    states: dict = field(default_factory=dict)
    accounts: dict = field(default_factory=dict)
    notifications_cancelled: int = 0


@dataclass
class Work:
    """One application still to build: whose, what, and which state it should reach."""

    org: Organization
    owner: object
    entry: dict
    spec: object
    index: int


def seed(stdout=None) -> Result:
    result = Result()
    password_hash = make_password(DEMO_PASSWORD)
    first_notification = (Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0)
    with transaction.atomic():
        people = ensure_demo_accounts(password_hash)
        result.accounts = people
        pools = content()
        work = []
        for entry, code in organizations():
            if Organization.objects.filter(credit_code=code).exists():
                result.skipped += 1
                continue
            owner = people["applicant"] if entry.get("owner") == "applicant" else ensure_user(
                f"contact-{code[8:16].lower()}@{DEMO_DOMAIN}", pick(pools["contact_names"], entry["name"]),
                password_hash, phone=mobile(entry["name"]))
            org = create_organization(entry, code, owner)
            result.created += 1
            work.extend(Work(org, owner, entry, spec, i) for i, spec in enumerate(application_specs(entry)))
        # Admitted ones first: admission with a `now` past the public notice must not catch the others.
        admitted = [w for w in work if w.spec.state == S.ADMITTED]
        built = [build_application(w, people, pools) for w in admitted]
        admit(built)
        if built:
            from .members import serve_members

            serve_members(people, Membership.objects.filter(
                organization__in=[a.organization_id for a in built]))
        for w in work:
            if w.spec.state != S.ADMITTED:
                build_application(w, people, pools)
        from .panel import seed_panel

        seed_panel(people)
        seed_catalogue(people)
        if settings.EMAIL_BACKEND not in LOCAL_MAIL_BACKENDS:
            result.notifications_cancelled = Notification.objects.filter(
                pk__gt=first_notification, state="pending").update(
                state="cancelled", last_error="demo data: never sent")
    for state in S.values:
        result.states[state] = Application.objects.filter(
            state=state, organization__memberships_of_people__user__email__endswith="@" + DEMO_DOMAIN).distinct().count()
    return result


def create_organization(entry, code, owner) -> Organization:
    facts = dict(
        name_en=entry["name_en"], org_type=entry.get("org_type", "enterprise"),
        legal_representative=entry["legal_rep"], registered_capital=entry["capital"],
        capital_currency=entry.get("currency", "CNY"), founded_on=date.fromisoformat(entry["founded"]),
        registered_address=entry["address"], district_id=entry["district"], province=entry.get("province", ""),
        in_etown=entry.get("in_etown", False), scale=entry.get("scale", ""), ownership=entry.get("ownership", ""),
        high_tech_certificate=f"GR20{digest(code)[0] % 5 + 20}11{digest(code)[1] % 90000 + 10000:06d}"
        if entry.get("high_tech") else "",
        specialized_level=entry.get("specialized", ""),
        description=pick(content()[entry_types(entry)[0]], entry["name"], entry_types(entry)[0])["summary"],
    )
    if entry["district"] == "outside":
        # The plan admits an organisation registered elsewhere with its operating entity in Beijing (PLAN_ELIGIBILITY).
        branch = {**entry, "name": entry["name"] + "北京分公司", "district": "110108", "division": "110108"}
        facts.update(beijing_entity_name=branch["name"], beijing_entity_credit_code=credit_code(branch))
    # The files are checked as a form would check them, then registered as an applicant registers.
    Organization(name=entry["name"], credit_code=code, **facts).full_clean()
    org = org_services.create_organization(owner, code, entry["name"], **facts)
    OrganizationMember.objects.filter(organization=org, user=owner).update(
        title=pick(content()["contact_titles"], entry["name"]))
    prove_organization(org, owner, entry)
    return org


def prove_organization(org, owner, entry):
    """The owner proves the organisation as a claimant does (names, the two documents, sent for verification);
    the plan office's verification is recorded as the system acting for staff, so the demo's organisations may
    submit. Its history shows the documents it was verified on."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from ..services import verification as verification_services
    from ..workflow import engine

    case = verification_services.open_case_of(owner, org)
    verification_services.update_details(owner, case, legal_representative=entry["legal_rep"],
                                         position=pick(content()["contact_titles"], entry["name"]))
    for kind, title in (("licence", "Business licence"), ("authorisation", "Authorisation letter")):
        pdf = make_pdf([title, org.name_en, org.credit_code])
        verification_services.add_document(owner, case, SimpleUploadedFile(f"{kind}.pdf", pdf, "application/pdf"),
                                           kind)
    verification_services.fire(owner, case, "submit")
    engine.fire("verification", case.pk, "verify", engine.Actor(system=True, extra={"as_admin": True}))


def entry_types(entry):
    return entry.get("types") or entry["applications"][0]["types"]


def attach_pdf(application, kind, title, owner):
    pdf = make_pdf([title, application.organization.name_en, application.organization.credit_code,
                    "Demo document of the partner-plan registry"])
    return Attachment.objects.create(
        application=application, kind=kind, file=ContentFile(pdf, name="demo.pdf"),
        original_name=f"{'营业执照' if kind == Attachment.Kind.BUSINESS_LICENCE else '推荐函'}.pdf",
        content_type="application/pdf", size=len(pdf), sha256=hashlib.sha256(pdf).hexdigest(), uploaded_by=owner)


def prepare_draft(w: Work, pools) -> Application:
    """A draft filled as an applicant would fill it, through the applicant services."""
    entry, owner, spec = w.entry, w.owner, w.spec
    application = app_services.create_draft(owner, w.org, spec.types)
    application.contact_name = owner.display_name
    application.contact_title = pick(pools["contact_titles"], entry["name"])
    application.contact_phone = owner.phone or mobile(entry["name"])
    application.contact_email = owner.email
    for t in spec.types:
        fill_profile(application, t, entry, pools)
    application.channel = spec.channel
    if spec.channel == Channel.DEPARTMENT_INVITATION:
        application.invitation = InvitationCode.objects.create(
            code=f"DEMO-{w.org.credit_code[8:16]}-{w.index}", department=pick(pools["departments"], entry["name"]),
            organization_name=w.org.name, expires_on=timezone.localdate() + timedelta(days=180))
    elif spec.channel == Channel.INDUSTRY_RECOMMENDATION:
        application.recommender_name = pick(pools["recommenders"], entry["name"])
        application.save()
        attach_pdf(application, Attachment.Kind.RECOMMENDATION_LETTER, "Letter of recommendation", owner)
    if spec.state != S.DRAFT:
        attach_pdf(application, Attachment.Kind.BUSINESS_LICENCE, "Business licence", owner)
        application.declaration_accepted = True
    application.save()
    return application


def build_application(w: Work, people, pools) -> Application:
    """Walk a new application to its target state through the same calls the screens make."""
    spec, owner, name = w.spec, w.owner, w.entry["name"]
    reviewer, approver, admin = people["reviewer"], people["approver"], people["administrator"]
    application = prepare_draft(w, pools)
    target = spec.state
    if target == S.DRAFT:
        return application
    application = app_services.submit(owner, application)
    if target == S.SUBMITTED:
        return application
    if target == S.WITHDRAWN:
        return app_services.withdraw(owner, application, reason=pick(pools["withdraw_reasons"], name))
    review_services.assign(admin, [application.pk], reviewer)
    application = review_services.fire(reviewer, application, "start_review")
    change = pick(pools["change_requests"], name)
    if spec.detour or target == S.CHANGES_REQUESTED:
        application = review_services.fire(reviewer, application, "request_changes", message=change["message"],
                                           points=change["points"])
        if target == S.CHANGES_REQUESTED:
            return application
        application = app_services.resubmit(owner, application)
    if target == S.IN_REVIEW:
        return application
    reason = pick(pools["reject_reasons"], name)
    if target == S.REJECTED and spec.reject_at == "first":
        return review_services.fire(reviewer, application, "reject", message=reason)
    recommendations = {t: Recommendation.GRANT if t in spec.granted else Recommendation.DECLINE for t in spec.types}
    application = review_services.fire(reviewer, application, "pass_to_final", recommendations=recommendations)
    if target == S.FINAL_REVIEW:
        return application
    if target == S.REJECTED:
        return review_services.fire(approver, application, "reject", message=reason)
    application = review_services.fire(approver, application, "approve", granted_types=spec.granted)
    if spec.objection:
        objection = pools["objection"]
        review_services.file_objection(application, name=objection["name"], contact=objection["contact"],
                                       reason=objection["reason"])
    return application


def admit(applications):
    """End the public notice of the demo's admitted applications as the periodic task would."""
    if not applications:
        return 0
    later = timezone.now() + timedelta(days=settings.PUBLICITY_DAYS + 1)
    ours = {a.pk for a in applications}
    due = set(Application.objects.filter(state=S.PUBLICITY, publicity_ends_at__lte=later)
              .values_list("pk", flat=True))
    if due <= ours:
        return membership_services.admit_due_applications(now=later)
    # Other applications are in their public notice too: admit only ours, one by one, as the task does.
    for pk in ours:
        workflow.fire(pk, "admit", workflow.Actor(system=True), expected_state=S.PUBLICITY)
    return len(ours)
