"""The audit feed for synchronisation: events after a cursor (`?after=<id>`), oldest first.

The staff who review applications read every event but those of drafts never submitted (which belong to
the applicant); everyone else (applicants, service officers) reads the applicant-visible events of the
organisations they act for.
"""

import django_filters
from django.db.models import Q
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import mixins, serializers

from ..models import AuditEvent, OrganizationMember
from ..models.api import ApiScope
from ..permissions import reads_applications
from ..services.webhooks import APPLICANT_DATA_KEYS
from .base import ApiViewSet
from .pagination import FeedCursorPagination


class EventSerializer(serializers.ModelSerializer):
    type = serializers.CharField(source="action")
    occurred_at = serializers.DateTimeField(source="created_at")
    data = serializers.SerializerMethodField()

    class Meta:
        model = AuditEvent
        fields = ["id", "type", "occurred_at", "application", "organization", "from_state", "to_state", "data"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_data(self, obj):
        if self.context.get("for_staff"):
            return obj.data or {}
        return {k: v for k, v in (obj.data or {}).items() if k in APPLICANT_DATA_KEYS}


class EventFilter(django_filters.FilterSet):
    after = django_filters.NumberFilter(field_name="id", lookup_expr="gt", label="only events with a larger id",
                                        min_value=0)
    type = django_filters.CharFilter(field_name="action", max_length=60, label="event type")
    application = django_filters.NumberFilter(field_name="application_id", min_value=1)

    class Meta:
        model = AuditEvent
        fields = ["after", "type", "application"]


class EventViewSet(mixins.ListModelMixin, ApiViewSet):
    """The audit trail as a feed: remember the last id you processed and ask for `?after=<id>`."""

    serializer_class = EventSerializer
    queryset = AuditEvent.objects.none()
    read_scope = ApiScope.APPLICATIONS_READ
    filterset_class = EventFilter
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend]
    pagination_class = FeedCursorPagination

    def get_queryset(self):
        qs = AuditEvent.objects.all()
        if reads_applications(self.request.user):
            return qs.filter(Q(application__isnull=True) | Q(application__submitted_at__isnull=False))
        orgs = OrganizationMember.objects.filter(user=self.request.user).values("organization_id")
        return qs.filter(visible_to_applicant=True, organization_id__in=orgs)

    def get_serializer_context(self):
        return {**super().get_serializer_context(),
                "for_staff": reads_applications(getattr(self.request, "user", None))}
