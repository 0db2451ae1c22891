"""Factories for every model the tests need, and helpers that walk an application to any state."""

import hashlib
import itertools
import random

import factory
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile

from partners import workflow
from partners.demo.pdf import make_pdf
from partners.enums import ApplicationState, Channel, OrgRole, PartnerType
from partners.models import (
    Application,
    Attachment,
    District,
    Organization,
    OrganizationMember,
    User,
)
from partners.services import applications as app_services
from partners.validators import USCC_CHARSET, build_credit_code

PASSWORD = "Correct-Horse-9-Battery"
_codes = itertools.count(1)
TINY_PDF = make_pdf(["licence"])  # a real one-page PDF: uploads are parsed, not only sniffed


def random_credit_code(rng=random) -> str:
    body_chars = [c for c in USCC_CHARSET if c.isdigit() or c.isupper()]
    body = "".join(rng.choice(body_chars) for _ in range(8))
    return build_credit_code("9", "1", rng.choice(["110108", "110105", "110115"]), body)


def unique_credit_code() -> str:
    n = next(_codes)
    return build_credit_code("9", "1", "110108", f"{n:08d}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    display_name = factory.Sequence(lambda n: f"张{n}")
    phone = "13800138000"
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        if create and extracted is not False:
            from allauth.account.models import EmailAddress

            EmailAddress.objects.get_or_create(user=self, email=self.email,
                                               defaults={"verified": True, "primary": True})


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"北京智算科技有限公司{n}")
    name_en = factory.Sequence(lambda n: f"Beijing Intelligent Compute Co. {n}")
    credit_code = factory.LazyFunction(unique_credit_code)
    legal_representative = "李明"
    registered_address = "北京市海淀区中关村大街1号"
    district = factory.LazyFunction(lambda: District.objects.get(code="110108"))
    registered_capital = 1000
    verification = "verified"  # most tests act for a proven organisation; tests/test_verification*.py start unverified

    @factory.post_generation
    def owner(self, create, extracted, **kwargs):
        if not create:
            return
        user = extracted or UserFactory()
        OrganizationMember.objects.create(organization=self, user=user, role=OrgRole.OWNER)


def english_client(user=None):
    """A test client that asks for English pages, logged in as `user` when given."""
    from django.test import Client

    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_login(user)
    return client


def make_staff(role, **kwargs) -> User:
    user = UserFactory(**kwargs)
    user.groups.add(Group.objects.get(name=role))
    if hasattr(user, "_role_cache"):
        del user._role_cache
    return user


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application

    organization = factory.SubFactory(OrganizationFactory)
    created_by = factory.LazyAttribute(lambda o: o.organization.owner)
    contact_name = "王芳"
    contact_phone = "13912345678"
    contact_email = "contact@example.com"


def add_licence(application, user=None):
    return Attachment.objects.create(
        application=application, kind=Attachment.Kind.BUSINESS_LICENCE,
        file=ContentFile(TINY_PDF, name="licence.pdf"), original_name="营业执照.pdf",
        content_type="application/pdf", size=len(TINY_PDF), sha256=hashlib.sha256(TINY_PDF).hexdigest(),
        uploaded_by=user,
    )


def complete_draft(application, types=(PartnerType.DATA,)):
    """Fill a draft so that it passes the submission check."""
    user = application.created_by
    app_services.set_partner_types(user, application, list(types))
    for t in types:
        profile = app_services.profile_of(application, t)
        profile.summary = "提供高质量中文语料与标注服务。"
        profile.save()
    application.channel = Channel.SELF_RECOMMENDATION
    application.declaration_accepted = True
    application.save()
    add_licence(application, user)
    return application


def submitted_application(owner, types=(PartnerType.DATA,)):
    application = ApplicationFactory(organization=owner.organizations.get(), created_by=owner)
    complete_draft(application, types)
    return app_services.submit(owner, application)


def advance(application, target, *, reviewer, approver=None, granted=None):
    """Walk an application from `submitted` to `target` through the real workflow."""
    path = {
        ApplicationState.IN_REVIEW: [("start_review", reviewer, {})],
        ApplicationState.FINAL_REVIEW: [("start_review", reviewer, {}), ("pass_to_final", reviewer, "recs")],
        ApplicationState.PUBLICITY: [("start_review", reviewer, {}), ("pass_to_final", reviewer, "recs"),
                                     ("approve", approver, "grant")],
    }[target]
    for action, actor, inputs in path:
        if inputs == "recs":
            inputs = {"recommendations": {t: "grant" for t in application.partner_types}}
        elif inputs == "grant":
            inputs = {"granted_types": granted or application.partner_types}
        application = workflow.fire(application.pk, action, workflow.Actor(user=actor), **inputs)
    return application


def add_history(application, author, n):
    """n rounds of what an application's staff page lists: an audit event, a message and an internal note."""
    from partners.models import AuditEvent, InternalNote, ReviewMessage

    for i in range(n):
        AuditEvent.objects.create(action="application.assigned", actor_label="test", application=application,
                                  organization=application.organization, data={}, visible_to_applicant=True)
        ReviewMessage.objects.create(application=application, author=author, body=f"message {i}")
        InternalNote.objects.create(application=application, author=author, body=f"note {i}")
