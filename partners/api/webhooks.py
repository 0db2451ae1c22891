"""Webhook subscriptions of an API key, and their delivery log (`webhooks:manage`)."""

from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from ..models import Notification, WebhookSubscription
from ..models.api import ApiScope
from ..services import webhooks as service
from .base import ApiViewSet
from .errors import ApiError
from .permissions import api_key_of
from .public_ids import PublicIdLookupMixin
from .serializers import ID_HELP, public_id_field

EVENT_CHOICES = [service.ALL_EVENTS, *service.EVENT_TYPES]


class WebhookSerializer(serializers.ModelSerializer):
    id = public_id_field(help_text=ID_HELP)
    url = serializers.URLField(max_length=500)
    event_types = serializers.ListField(child=serializers.ChoiceField(choices=EVENT_CHOICES), min_length=1,
                                        max_length=len(EVENT_CHOICES),
                                        help_text=_("event types to receive; `*` for every event"))

    class Meta:
        model = WebhookSubscription
        fields = ["id", "url", "event_types", "active", "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]


class WebhookCreatedSerializer(WebhookSerializer):
    secret = serializers.CharField(read_only=True, help_text=_(
        "signs every delivery (HMAC-SHA256 over “<timestamp>.<body>”); shown only now"))

    class Meta(WebhookSerializer.Meta):
        fields = [*WebhookSerializer.Meta.fields, "secret"]


class DeliverySerializer(serializers.ModelSerializer):
    id = public_id_field(help_text=_("the delivery's id, sent as X-Registry-Delivery"))
    event = serializers.SerializerMethodField(help_text=_("the id of the event delivered, as in the feed"))
    event_type = serializers.CharField(source="context.event_type")
    last_error = serializers.SerializerMethodField(help_text=_(
        "why the last attempt failed: the receiver's HTTP status, or that it could not be reached"))

    @extend_schema_field(serializers.UUIDField(allow_null=True))
    def get_event(self, row):
        # The payload as delivered names the event by its public id (migration 0020 rewrote older ones).
        payload = (row.context or {}).get("payload") or {}
        value = payload.get("id") if isinstance(payload, dict) else None
        return value if isinstance(value, str) else None

    def get_last_error(self, row) -> str:
        # Only the generic wording reaches the subscriber; socket errors would tell closed ports from open ones.
        error = row.last_error or ""
        for prefix in ("WebhookFailed: ", "PermanentFailure: "):
            if error.startswith(prefix):
                return error[len(prefix):]
        return service.UNREACHABLE_ERROR if error else ""

    class Meta:
        model = Notification
        fields = ["id", "event", "event_type", "state", "attempts", "last_error", "created_at", "sent_at",
                  "next_attempt_at"]
        read_only_fields = fields


class WebhookViewSet(PublicIdLookupMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    """Subscriptions of the calling API key to audit event types; deliveries are signed and retried."""

    serializer_class = WebhookSerializer
    queryset = WebhookSubscription.objects.none()
    read_scope = ApiScope.WEBHOOKS_MANAGE
    write_scope = ApiScope.WEBHOOKS_MANAGE
    filter_backends = []
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        key = api_key_of(self.request)
        if key is None:
            return WebhookSubscription.objects.none()
        return WebhookSubscription.objects.filter(api_key=key)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if api_key_of(request) is None:
            raise ApiError(_g("Webhook subscriptions belong to an API key; authenticate with one."),
                           code="api_key_required", status_code=status.HTTP_403_FORBIDDEN)

    @extend_schema(request=WebhookSerializer, responses={201: WebhookCreatedSerializer})
    def create(self, request):
        incoming = WebhookSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        sub, secret = service.subscribe(api_key_of(request), url=incoming.validated_data["url"],
                                        event_types=incoming.validated_data["event_types"])
        return Response(WebhookCreatedSerializer(sub).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=WebhookSerializer, responses=WebhookSerializer)
    def partial_update(self, request, **kwargs):
        sub = self.get_object()
        incoming = WebhookSerializer(sub, data=request.data, partial=True)
        incoming.is_valid(raise_exception=True)
        values = incoming.validated_data
        sub = service.change_subscription(api_key_of(request), sub, url=values.get("url"),
                                          event_types=values.get("event_types"), active=values.get("active"))
        return Response(WebhookSerializer(sub).data)

    @extend_schema(request=None, responses={200: WebhookCreatedSerializer})
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request, **kwargs):
        """A new signing secret, shown only now; the old one keeps signing alongside it for a grace period."""
        sub, _secret = service.rotate_secret(api_key_of(request), self.get_object())
        return Response(WebhookCreatedSerializer(sub).data)

    @extend_schema(responses={204: None})
    def destroy(self, request, **kwargs):
        """End the subscription; its delivery log stays readable."""
        service.unsubscribe(api_key_of(request), self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(responses=DeliverySerializer(many=True))
    @action(detail=True, methods=["get"])
    def deliveries(self, request, **kwargs):
        """The delivery log of this subscription, newest first."""
        rows = service.deliveries_of(self.get_object())
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(DeliverySerializer(page, many=True).data)
