"""Organisation verification cases in API v1: the claimant's own cases and, for staff, every case; their
actions fire at POST …/actions/{action}/ through the same workflow engine as the web."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext as _g
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from ..enums import VerificationState
from ..models import VerificationCase
from ..permissions import can
from ..services import verification as verification_services
from ..workflow import APPLICANT, VERIFICATION, available_actions, engine
from .base import ApiViewSet, actor_of
from .errors import ApiError
from .filters import by_public_id, organizations_for_filter
from .mixins import ProcessScopeMixin
from .parsers import StrictJSONParser
from .public_ids import PublicIdLookupMixin
from .serializers import ID_HELP, AvailableActionSerializer, public_id_field

CLAIMANT_ACTIONS = {t.action for t in VERIFICATION.transitions if APPLICANT in t.roles}


class VerificationDocumentSerializer(serializers.Serializer):
    kind = serializers.CharField()
    name = serializers.CharField(source="original_name")
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    uploaded_at = serializers.DateTimeField()


class VerificationCaseSerializer(serializers.ModelSerializer):
    id = public_id_field(help_text=ID_HELP)
    organization = public_id_field("organization.public_id", help_text="the organisation's id")
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    documents = VerificationDocumentSerializer(many=True, read_only=True)
    available_actions = serializers.SerializerMethodField()
    missing = serializers.SerializerMethodField(help_text="What the claimant must still provide (draft cases).")

    class Meta:
        model = VerificationCase
        fields = ["id", "organization", "kind", "state", "state_label", "legal_representative", "position",
                  "statement", "reason", "submitted_at", "decided_at", "created_at", "documents",
                  "available_actions", "missing"]
        read_only_fields = fields

    @extend_schema_field(AvailableActionSerializer(many=True))
    def get_available_actions(self, obj):
        user = getattr(self.context.get("request"), "user", None)
        return [{"action": t.action, "label": str(t.label), "requires": list(t.requires)}
                for t in available_actions(obj, user)]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_missing(self, obj):
        return [str(m) for m in verification_services.missing(obj)] if obj.state == VerificationState.DRAFT else []


class VerificationActionSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    expected_state = serializers.ChoiceField(choices=VerificationState.choices, required=False,
                                             help_text="Refuse (409) if the case is no longer in this state.")


class VerificationCaseFilter(django_filters.FilterSet):
    organization = by_public_id("organization", organizations_for_filter, "organization id (UUID)")

    class Meta:
        model = VerificationCase
        fields = ["state", "kind", "organization"]


class VerificationCaseViewSet(ProcessScopeMixin, PublicIdLookupMixin, mixins.ListModelMixin,
                              mixins.RetrieveModelMixin, ApiViewSet):
    """Verification cases: your own claims and disputes; staff who review see every case."""

    serializer_class = VerificationCaseSerializer
    queryset = VerificationCase.objects.none()
    own_actions = CLAIMANT_ACTIONS
    filterset_class = VerificationCaseFilter
    ordering_fields = ["id", "created_at", "submitted_at"]
    ordering = ["-id"]

    def get_queryset(self):
        qs = VerificationCase.objects.select_related("organization").prefetch_related("documents")
        user = self.request.user
        if can(user, "verification.queue"):
            return qs
        return qs.filter(Q(claimant=user) | Q(kind="claim", organization__memberships_of_people__user=user)).distinct()

    @extend_schema(
        request=VerificationActionSerializer, responses=VerificationCaseSerializer,
        parameters=[OpenApiParameter("action_name", OpenApiTypes.STR, OpenApiParameter.PATH,
                                     enum=VERIFICATION.actions, description="a verification action")],
    )
    @action(detail=True, methods=["post"], url_path=r"actions/(?P<action_name>[a-z_]+)",
            parser_classes=[StrictJSONParser])
    def fire_action(self, request, action_name=None, **kwargs):
        """Fire a verification action through the workflow engine (see available_actions)."""
        if action_name not in VERIFICATION.actions:
            raise ApiError(_g("There is no action “%(a)s”.") % {"a": action_name}, code="unknown_action",
                           status_code=status.HTTP_404_NOT_FOUND)
        case = self.get_object()
        incoming = VerificationActionSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        inputs = dict(incoming.validated_data)
        engine.fire("verification", case.pk, action_name, actor_of(request), **inputs)
        fresh = self.get_queryset().get(pk=case.pk)
        return Response(VerificationCaseSerializer(fresh, context=self.get_serializer_context()).data)
