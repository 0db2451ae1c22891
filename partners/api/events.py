"""The audit feed for synchronisation: events after a position (`?after=<txid>.<id>`), in commit order.

The staff who review applications read every event but those of drafts never submitted (which belong to
the applicant); everyone else (applicants, service officers) reads the applicant-visible events of the
organisations they act for. Positions and why they never skip an event: services/feed.py.
"""

import django_filters
from django.core.validators import RegexValidator
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import mixins, serializers

from ..event_types import EVENT_STATES, event_types
from ..models import AuditEvent, OrganizationMember
from ..models.api import ApiScope
from ..permissions import reads_applications
from ..services.webhooks import event_payload
from .base import ApiViewSet
from .feed_pagination import FeedPagination
from .filters import applications_for_filter, by_public_id, organizations_for_filter


class EventSerializer(serializers.ModelSerializer):
    """An event exactly as webhooks carry it (services.webhooks.event_payload): one shape, one clock (UTC)."""

    id = serializers.UUIDField(source="public_id", help_text=_("The event's id (a UUID), the same in webhooks."))
    position = serializers.CharField(help_text=_("Where this event stands in the feed: an opaque cursor for "
                                                 "`?after=`, not an id."))
    type = serializers.ChoiceField(source="action", choices=event_types())
    occurred_at = serializers.DateTimeField(source="created_at", help_text="UTC, ISO 8601 with its offset.")
    from_state = serializers.ChoiceField(choices=EVENT_STATES, allow_blank=True)
    to_state = serializers.ChoiceField(choices=EVENT_STATES, allow_blank=True)
    application = serializers.UUIDField(allow_null=True, help_text=_("the application's id, if any"))
    organization = serializers.UUIDField(allow_null=True, help_text=_("the organisation's id, if any"))
    data = serializers.SerializerMethodField()

    class Meta:
        model = AuditEvent
        fields = ["id", "position", "type", "occurred_at", "application", "organization", "from_state",
                  "to_state", "data"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_data(self, obj):  # pragma: no cover - to_representation answers; this names the type for the schema
        return {}

    def to_representation(self, instance):
        return event_payload(instance, for_staff=bool(self.context.get("for_staff")))


class EventFilter(django_filters.FilterSet):
    type = django_filters.CharFilter(field_name="action", max_length=60, label="event type",
                                     validators=[RegexValidator(r"^[a-z_]+\.[a-z_]+$", _("An event type looks like "
                                                                                       "application.submitted."))])
    application = by_public_id("application", applications_for_filter, "application id (UUID)")
    organization = by_public_id("organization", organizations_for_filter, "organization id (UUID)")

    class Meta:
        model = AuditEvent
        fields = ["type", "application", "organization"]


class EventViewSet(mixins.ListModelMixin, ApiViewSet):
    """The audit trail as a feed: remember the `position` of the last page and ask for `?after=<position>`."""

    serializer_class = EventSerializer
    queryset = AuditEvent.objects.none()
    read_scope = ApiScope.APPLICATIONS_READ
    filterset_class = EventFilter
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend]
    pagination_class = FeedPagination

    def get_queryset(self):
        # Both joined: the payload names them by their public ids, with no query per event.
        qs = AuditEvent.objects.select_related("application", "organization")
        if reads_applications(self.request.user):
            return qs.filter(Q(application__isnull=True) | Q(application__submitted_at__isnull=False))
        orgs = OrganizationMember.objects.filter(user=self.request.user).values("organization_id")
        return qs.filter(visible_to_applicant=True, organization_id__in=orgs)

    def get_serializer_context(self):
        return {**super().get_serializer_context(),
                "for_staff": reads_applications(getattr(self.request, "user", None))}
