"""Member requests (诉求) in API v1: a member's people see its requests, officers those of the members they
serve; actions fire at POST …/actions/{action}/ through the same workflow engine as the web."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext as _g
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from ..enums import MemberRequestState
from ..member_scope import is_member_staff, visible_memberships
from ..models import MemberRequest, OrganizationMember
from ..services import member_requests as request_services
from ..workflow import APPLICANT, MEMBER_REQUEST, available_actions
from .base import ApiViewSet, actor_of
from .errors import ApiError
from .mixins import ProcessScopeMixin
from .parsers import StrictJSONParser
from .public_ids import PublicIdLookupMixin
from .serializers import ID_HELP, AvailableActionSerializer, public_id_field

MEMBER_ACTIONS = {t.action for t in MEMBER_REQUEST.transitions if APPLICANT in t.roles}


class MemberRequestSerializer(serializers.ModelSerializer):
    id = public_id_field(help_text=ID_HELP)
    organization = public_id_field("membership.organization.public_id", help_text="the member organisation's id")
    member_number = serializers.CharField(source="membership.number", read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    available_actions = serializers.SerializerMethodField()

    class Meta:
        model = MemberRequest
        fields = ["id", "organization", "member_number", "kind", "title", "description", "state", "state_label",
                  "department", "referral_due_on", "resolution", "reopen_reason", "due_at", "escalated_at",
                  "resolved_at", "closed_at", "created_at", "available_actions"]
        read_only_fields = fields

    @extend_schema_field(AvailableActionSerializer(many=True))
    def get_available_actions(self, obj):
        user = getattr(self.context.get("request"), "user", None)
        return [{"action": t.action, "label": str(t.label), "requires": list(t.requires)}
                for t in available_actions(obj, user)]


class MemberRequestActionSerializer(serializers.Serializer):
    department = serializers.CharField(required=False, allow_blank=True, max_length=200)
    due_on = serializers.DateField(required=False, help_text="The date the department answers by (refer).")
    resolution = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    expected_state = serializers.ChoiceField(choices=MemberRequestState.choices, required=False,
                                             help_text="Refuse (409) if the request is no longer in this state.")


class MemberRequestFilter(django_filters.FilterSet):
    class Meta:
        model = MemberRequest
        fields = ["state", "kind"]


class MemberRequestViewSet(ProcessScopeMixin, PublicIdLookupMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                           ApiViewSet):
    """Member requests: your members' own; staff see those of the members they serve."""

    serializer_class = MemberRequestSerializer
    queryset = MemberRequest.objects.none()
    own_actions = MEMBER_ACTIONS
    filterset_class = MemberRequestFilter
    ordering_fields = ["id", "created_at", "due_at"]
    ordering = ["-id"]

    def get_queryset(self):
        qs = MemberRequest.objects.select_related("membership", "membership__organization")
        user = self.request.user
        own = Q(membership__organization_id__in=OrganizationMember.objects.filter(user=user)
                .values("organization_id"))
        if is_member_staff(user):
            served = visible_memberships(user, MemberRequest.objects.all(), prefix="membership__").values("pk")
            return qs.filter(own | Q(pk__in=served))
        return qs.filter(own)

    @extend_schema(
        request=MemberRequestActionSerializer, responses=MemberRequestSerializer,
        parameters=[OpenApiParameter("action_name", OpenApiTypes.STR, OpenApiParameter.PATH,
                                     enum=[a for a in MEMBER_REQUEST.actions if a != "escalate"],
                                     description="a member-request action")],
    )
    @action(detail=True, methods=["post"], url_path=r"actions/(?P<action_name>[a-z_]+)",
            parser_classes=[StrictJSONParser])
    def fire_action(self, request, action_name=None, **kwargs):
        """Fire a member-request action through the workflow engine (see available_actions)."""
        if action_name not in MEMBER_REQUEST.actions:
            raise ApiError(_g("There is no action “%(a)s”.") % {"a": action_name}, code="unknown_action",
                           status_code=status.HTTP_404_NOT_FOUND)
        member_request = self.get_object()
        incoming = MemberRequestActionSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        inputs = dict(incoming.validated_data)
        request_services.fire(request.user, member_request, action_name, actor=actor_of(request), **inputs)
        fresh = self.get_queryset().get(pk=member_request.pk)
        return Response(MemberRequestSerializer(fresh, context=self.get_serializer_context()).data)
