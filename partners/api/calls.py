"""Calls, their rubrics and the expert panel's aggregate in API v1, for staff keys (as on the staff screens)."""

from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_serializer
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from ..models import Application, Call, Criterion, Rubric
from ..models.api import ApiScope
from ..permissions import never_submitted
from ..services import calls as call_services
from ..services import panel as panel_services
from .base import ApiViewSet
from .public_ids import PublicIdLookupMixin
from .serializers import ID_HELP, public_id_field


# Named apart from the catalogue's match criteria, so the schema has one component per meaning.
@extend_schema_serializer(component_name="RubricCriterion")
class CriterionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Criterion
        fields = ["position", "name", "name_en", "weight", "score_guidance"]
        read_only_fields = fields


class RubricSerializer(serializers.ModelSerializer):
    id = public_id_field(help_text=ID_HELP)
    criteria = CriterionSerializer(many=True, read_only=True)

    class Meta:
        model = Rubric
        fields = ["id", "partner_type", "scale_min", "scale_max", "criteria"]
        read_only_fields = fields


class CallSerializer(serializers.ModelSerializer):
    id = public_id_field(help_text=ID_HELP)
    is_open = serializers.SerializerMethodField(help_text="Whether the call takes submissions now.")
    rubrics = RubricSerializer(many=True, read_only=True)
    counts = serializers.SerializerMethodField(help_text="Applications of the call by state and partner type.")

    class Meta:
        model = Call
        fields = ["id", "code", "title", "title_en", "partner_types", "always_open", "opens_at", "closes_at",
                  "is_open", "quotas", "required_documents", "guidance", "guidance_en", "experts_per_application",
                  "panel_deadline", "rubrics", "counts"]
        read_only_fields = fields

    @extend_schema_field(serializers.BooleanField())
    def get_is_open(self, obj):
        return obj.is_open()

    @extend_schema_field(serializers.DictField(child=serializers.DictField(child=serializers.IntegerField())))
    def get_counts(self, obj):
        return call_services.counts_by_state_and_type(obj)


class CriterionAggregateSerializer(serializers.Serializer):
    position = serializers.IntegerField(source="criterion.position")
    name = serializers.CharField(source="criterion.name")
    weight = serializers.DecimalField(source="criterion.weight", max_digits=5, decimal_places=2)
    n = serializers.IntegerField()
    mean = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    spread = serializers.IntegerField(allow_null=True)
    large_spread = serializers.BooleanField()


class RubricAggregateSerializer(serializers.Serializer):
    partner_type = serializers.CharField(source="rubric.partner_type")
    experts = serializers.IntegerField(help_text="Experts who submitted scores.")
    mean = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True,
                                    help_text="Mean of the experts' weighted totals.")
    spread = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True,
                                      help_text="Highest minus lowest weighted total.")
    large_spread = serializers.BooleanField(help_text="The experts disagree by 40% of the scale or more.")
    criteria = CriterionAggregateSerializer(many=True)


class PanelSerializer(serializers.Serializer):
    application = serializers.UUIDField()
    rubrics = RubricAggregateSerializer(many=True)
    comments = serializers.ListField(child=serializers.CharField())
    conflicts = serializers.IntegerField(help_text="Experts who declared a conflict of interest.")


class CallViewSet(PublicIdLookupMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    """Calls for applications with their rubrics and counts (staff keys)."""

    serializer_class = CallSerializer
    queryset = Call.objects.prefetch_related("rubrics__criteria").order_by("-always_open", "-opens_at", "-pk")
    staff_only = True
    permission_rule = "call.view"
    read_scope = ApiScope.APPLICATIONS_READ
    ordering = ["-pk"]


class PanelViewSet(PublicIdLookupMixin, ApiViewSet):
    """The expert panel's aggregate of one application (staff keys)."""

    queryset = Application.objects.all()
    staff_only = True
    permission_rule = "panel.aggregate"
    read_scope = ApiScope.APPLICATIONS_READ
    serializer_class = PanelSerializer

    @extend_schema(responses=PanelSerializer)
    @action(detail=True, methods=["get"], url_path="panel")
    def panel(self, request, **kwargs):
        """Mean, spread and per-criterion scores of the experts who submitted, with their comments."""
        application = self.get_object()
        if never_submitted(application):
            raise Http404
        data = {"application": application.public_id, "rubrics": panel_services.aggregate(application),
                "comments": [a.comment for a in panel_services.comments(application)],
                "conflicts": len(panel_services.conflicts(application))}
        return Response(PanelSerializer(data).data)
