"""Organisations, applications (draft edits, attachments, workflow actions) and decisions in API v1."""

import django_filters
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _g
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from .. import workflow
from ..models import PROFILE_MODELS, Application, Decision, InvitationCode, Organization, Scenario
from ..models.api import ApiScope
from ..permissions import can, is_staff_member, visible_applications
from ..services import applications as app_services
from ..services import uploads
from ..services.applications import ServiceError
from .base import ApiViewSet, actor_of
from .errors import ApiError
from .filters import applications_for_filter, by_public_id, organizations_for_filter
from .mixins import ProcessScopeMixin, UploadSizeLimitMixin, require_if_match
from .parsers import StrictJSONParser
from .public_ids import PublicIdLookupMixin
from .serializers import (
    ActionInputSerializer,
    ApplicationSerializer,
    ApplicationWriteSerializer,
    AttachmentSerializer,
    AttachmentUploadSerializer,
    DecisionSerializer,
    OrganizationSerializer,
)

PROFILE_RELATIONS = [model._meta.model_name for model in PROFILE_MODELS.values()]
APPLICANT_ACTIONS = {t.action for t in workflow.TRANSITIONS if workflow.APPLICANT in t.roles}
SIMPLE_FIELDS = ["channel", "recommender_name", "contact_name", "contact_title", "contact_phone", "contact_email",
                 "declaration_accepted"]


def organizations_of(user):
    return Organization.objects.filter(memberships_of_people__user=user)


class ApplicationFilter(django_filters.FilterSet):
    organization = by_public_id("organization", organizations_for_filter, "organization id (UUID)")

    class Meta:
        model = Application
        fields = ["state", "organization", "channel"]


class OrganizationViewSet(PublicIdLookupMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    """Your own organisations; staff see all of them."""

    serializer_class = OrganizationSerializer
    queryset = Organization.objects.none()
    read_scope = ApiScope.APPLICATIONS_READ
    filterset_fields = ["district", "org_type", "scale", "ownership"]
    search_fields = ["name", "name_en", "credit_code"]
    ordering_fields = ["id", "name", "created_at"]
    ordering = ["-id"]

    def get_queryset(self):
        qs = Organization.objects.select_related("membership")
        if is_staff_member(self.request.user):
            return qs.all()
        return qs.filter(memberships_of_people__user=self.request.user)


class ApplicationViewSet(UploadSizeLimitMixin, ProcessScopeMixin, PublicIdLookupMixin, mixins.ListModelMixin,
                         mixins.RetrieveModelMixin, ApiViewSet):
    """Applications you act for; the staff who review see every submitted one (never a draft), as on the web.

    Create and edit drafts; fire workflow actions; upload files.
    """

    serializer_class = ApplicationSerializer
    queryset = Application.objects.none()
    own_actions = APPLICANT_ACTIONS
    write_actions = None  # every write of an application needs the write scope
    filterset_class = ApplicationFilter
    search_fields = ["organization__name", "organization__name_en", "=organization__credit_code"]
    ordering_fields = ["id", "created_at", "submitted_at"]
    ordering = ["-id"]
    http_method_names = ["get", "post", "patch", "head", "options"]
    parser_classes = [StrictJSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        if getattr(self, "action", None) == "fire_action":
            # The workflow locks and reads the application itself, and the answer reads it afresh (_read): finding
            # it needs none of what the answer shows.
            return visible_applications(self.request.user, Application.objects.select_related("organization"))
        return self.readable()

    def filter_queryset(self, queryset):
        if getattr(self, "action", None) == "fire_action" and not self.request.query_params:
            return queryset  # nothing to filter by: the action finds its application by id alone
        return super().filter_queryset(queryset)

    def readable(self):
        qs = Application.objects.select_related("organization", "invitation", "call",
                                                *PROFILE_RELATIONS).prefetch_related(
            "requested_types", "attachments", "modelprofile__industries", "applicationprofile__scenarios")
        return visible_applications(self.request.user, qs)

    def get_object(self):
        application = super().get_object()
        # The one question the web asks too; the queryset above is its list form. 404: never confirm the id.
        if not can(self.request.user, "application.view", application):
            raise Http404
        return application

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "detail": getattr(self, "action", None) == "retrieve"}

    def _read(self, application, code=status.HTTP_200_OK):
        fresh = self.readable().get(pk=application.pk)
        context = {**self.get_serializer_context(), "detail": True}
        return Response(ApplicationSerializer(fresh, context=context).data, status=code)

    def _lock_if_matched(self, request, application):
        """With If-Match: lock the row, then refuse (412) unless the client saw the version there is now."""
        if request.headers.get("If-Match") is None:
            return
        Application.objects.select_for_update().filter(pk=application.pk).first()
        require_if_match(request, self._read(application).data)

    @extend_schema(request=ApplicationWriteSerializer, responses={201: ApplicationSerializer})
    def create(self, request):
        """Start a draft for your organisation, optionally with its first facts."""
        incoming = ApplicationWriteSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        organization = data.pop("organization", None)
        if organization is None:
            mine = list(organizations_of(request.user)[:2])
            if len(mine) != 1:
                raise ApiError(_g("Say which organisation the application is for."),
                               fields={"organization": [_g("This field is required.")]})
            organization = mine[0]
        partner_types = data.pop("partner_types", ())
        with transaction.atomic():
            application = app_services.create_draft(request.user, organization, partner_types,
                                                    actor=actor_of(request))
            if data:
                apply_draft_changes(request.user, application, data)
        return self._read(application, status.HTTP_201_CREATED)

    @extend_schema(request=ApplicationWriteSerializer, responses=ApplicationSerializer)
    def partial_update(self, request, **kwargs):
        """Change a draft (or an application returned for changes); send only what changes."""
        application = self.get_object()
        incoming = ApplicationWriteSerializer(data=request.data, partial=True)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        if "organization" in data:
            raise ApiError(_g("An application cannot move to another organisation."),
                           fields={"organization": [_g("This field cannot be changed.")]})
        with transaction.atomic():
            self._lock_if_matched(request, application)
            apply_draft_changes(request.user, application, data)
        return self._read(application)

    @extend_schema(
        request=ActionInputSerializer, responses=ApplicationSerializer,
        parameters=[OpenApiParameter("action_name", OpenApiTypes.STR, OpenApiParameter.PATH,
                                     enum=workflow.ACTIONS, description="a workflow action")],
    )
    @action(detail=True, methods=["post"], url_path=r"actions/(?P<action_name>[a-z_]+)",
            parser_classes=[StrictJSONParser])
    def fire_action(self, request, action_name=None, **kwargs):
        """Fire a workflow action through the same transition function as the web (see available_actions)."""
        if action_name not in workflow.ACTIONS:
            raise ApiError(_g("There is no action “%(a)s”.") % {"a": action_name}, code="unknown_action",
                           status_code=status.HTTP_404_NOT_FOUND)
        application = self.get_object()
        incoming = ActionInputSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        inputs = dict(incoming.validated_data)
        if request.headers.get("If-Match") is None:
            # Nothing to check under the lock first: fire() is the transaction (no savepoint inside another).
            workflow.fire(application.pk, action_name, actor_of(request), **inputs)
            return self._read(application)
        with transaction.atomic():
            self._lock_if_matched(request, application)
            workflow.fire(application.pk, action_name, actor_of(request), **inputs)
        return self._read(application)

    @extend_schema(methods=["GET"], responses=AttachmentSerializer(many=True))
    @extend_schema(methods=["POST"], request={"multipart/form-data": AttachmentUploadSerializer},
                   responses={201: AttachmentSerializer})
    @action(detail=True, methods=["get", "post"], parser_classes=[MultiPartParser, FormParser],
            pagination_class=None, filter_backends=[])
    def attachments(self, request, **kwargs):
        """List the attachments, or upload one (multipart: `file`, `kind`)."""
        application = self.get_object()
        if request.method == "GET":
            rows = application.attachments.filter(purged_at__isnull=True)
            return Response(AttachmentSerializer(rows, many=True).data)
        request.data  # noqa: B018 - parse now: the size-limit handler reports while parsing
        if getattr(request._request, "upload_too_large", False):
            raise ApiError(_g("The file is larger than allowed."), code="too_large",
                           fields={"file": [_g("The file is larger than allowed.")]})
        incoming = AttachmentUploadSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        attachment = uploads.add_attachment(request.user, application, incoming.validated_data["file"],
                                            kind=incoming.validated_data["kind"])
        return Response(AttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)


def apply_draft_changes(user, application, data):
    """Save validated draft fields through the portal's section save (edit check and row lock included)."""

    def save(locked):
        if "partner_types" in data:
            app_services.set_partner_types(user, locked, data["partner_types"])
        for name in SIMPLE_FIELDS:
            if name in data:
                setattr(locked, name, data[name])
        if "invitation_code" in data:
            code = data["invitation_code"].strip()
            invitation = InvitationCode.objects.filter(code=code).first() if code else None
            problem = app_services.invitation_problem(invitation, locked) if code else ""
            if problem:
                raise ServiceError(problem, field="invitation_code")
            locked.invitation = invitation
        locked.save()
        for partner_type, values in (data.get("profiles") or {}).items():
            profile = app_services.profile_of(locked, partner_type)
            if profile is None:
                raise ServiceError(_g("This application does not ask for this partner type; add it to "
                                      "partner_types first."), field=f"profiles.{partner_type}")
            many = {k: values.pop(k) for k in list(values) if k == "industries"}
            scenarios = values.pop("scenarios", None)
            for name, value in values.items():
                setattr(profile, name, value)
            profile.save()
            for name, value in many.items():
                getattr(profile, name).set(value)
            if scenarios is not None:
                profile.scenarios.all().delete()
                for scenario in scenarios:
                    Scenario.objects.create(profile=profile, **scenario)
        return locked

    return app_services.save_section(user, application, "api", save)


class DecisionFilter(django_filters.FilterSet):
    application = by_public_id("application", applications_for_filter, "application id (UUID)")
    action = django_filters.ChoiceFilter(choices=[(a, a) for a in workflow.ACTIONS], label="workflow action")

    class Meta:
        model = Decision
        fields = ["application", "level", "action"]


class DecisionViewSet(PublicIdLookupMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    """Decisions at first and final review, with the per-type outcome (staff keys with review:write)."""

    serializer_class = DecisionSerializer
    queryset = Decision.objects.select_related("actor", "application")
    staff_only = True
    permission_rule = "queue.view"  # the staff who review; as on the staff screens
    read_scope = ApiScope.REVIEW_WRITE
    filterset_class = DecisionFilter
    ordering_fields = ["id", "created_at"]
    ordering = ["-id"]

