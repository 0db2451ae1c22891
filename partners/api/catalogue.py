"""The data catalogue, the showcase of pilot cases and the plan's target progress in API v1: public reads.

Only public entries are listed (accepted by staff when moderation is on); contacts never appear here, they are
shared in the portal once an introduction is accepted.
"""

import django_filters
from django.utils.translation import gettext as _g
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from ..enums import AccessTerms, CaseKind, DataModality, PartnerType, TrainingStage
from ..models import Case, DataDemand, DataSet, District, Industry
from ..models.api import ApiScope
from ..services import cases, catalogue, matching
from .base import ApiViewSet
from .errors import ApiError
from .serializers import ID_HELP, public_id_field

UUID_PATTERN = "[0-9a-fA-F-]{36}"


class ListingFields(serializers.ModelSerializer):
    id = public_id_field(help_text=ID_HELP)
    organization = serializers.CharField(source="organization.name", read_only=True)
    industry = serializers.CharField(source="industry_id", allow_null=True, read_only=True)


class DataSetSerializer(ListingFields):
    class Meta:
        model = DataSet
        fields = ["id", "name", "organization", "description", "modality", "industry", "size_value", "size_unit",
                  "languages", "licence", "access_terms", "contains_personal_information", "security_assessed",
                  "update_frequency", "sample_description", "featured", "published_at"]
        read_only_fields = fields


class DataDemandSerializer(ListingFields):
    class Meta:
        model = DataDemand
        fields = ["id", "title", "organization", "description", "modality", "industry", "size_value", "size_unit",
                  "languages", "stage", "quality_needs", "needs_commercial_use", "accepted_access_terms",
                  "budget_min", "budget_max", "deadline", "featured", "published_at"]
        read_only_fields = fields


class MatchCriterionSerializer(serializers.Serializer):
    code = serializers.CharField()
    points = serializers.IntegerField()
    maximum = serializers.IntegerField()
    reason = serializers.CharField()


class MatchSerializer(serializers.Serializer):
    dataset = DataSetSerializer()
    score = serializers.IntegerField(help_text="0-100: the sum of the criteria's points")
    criteria = MatchCriterionSerializer(many=True, help_text="Why: each criterion's points and reason.")


class ListingFilter(django_filters.FilterSet):
    modality = django_filters.ChoiceFilter(choices=DataModality.choices)
    industry = django_filters.ModelChoiceFilter(field_name="industry", to_field_name="code",
                                                queryset=Industry.objects.all(), label="industry code")
    featured = django_filters.BooleanFilter()
    q = django_filters.CharFilter(method="filter_text", max_length=catalogue.SEARCH_LIMIT,
                                  label="part of the name or description")

    def filter_text(self, qs, name, value):
        return catalogue.search(qs, value)


class DataSetFilter(ListingFilter):
    access_terms = django_filters.ChoiceFilter(choices=AccessTerms.choices)

    class Meta:
        model = DataSet
        fields = ["modality", "industry", "featured", "access_terms", "q"]


class DataDemandFilter(ListingFilter):
    stage = django_filters.ChoiceFilter(choices=TrainingStage.choices)

    class Meta:
        model = DataDemand
        fields = ["modality", "industry", "featured", "stage", "q"]


class PublicReadViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    public_read = True
    read_scope = ApiScope.MEMBERS_READ
    lookup_field = "public_id"
    lookup_url_kwarg = "id"
    lookup_value_regex = UUID_PATTERN
    ordering = ["-featured", "-published_at", "-id"]


class DataSetViewSet(PublicReadViewSet):
    """The data supply catalogue (数据供给目录): public data sets."""

    serializer_class = DataSetSerializer
    queryset = DataSet.objects.none()
    filterset_class = DataSetFilter

    def get_queryset(self):
        return catalogue.public_datasets().select_related("organization")


class DataDemandViewSet(PublicReadViewSet):
    """The training-data demand list (数据需求清单): public demands, each with its ranked data sets."""

    serializer_class = DataDemandSerializer
    queryset = DataDemand.objects.none()
    filterset_class = DataDemandFilter

    def get_queryset(self):
        return catalogue.public_demands().select_related("organization")

    @extend_schema(responses=MatchSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def matches(self, request, **kwargs):
        """The public data sets that fit this demand, best first, each with its explained score (at most 20)."""
        demand = self.get_object()
        ranked = matching.datasets_for(demand)
        return Response(MatchSerializer(ranked, many=True).data)


class CaseSerializer(serializers.ModelSerializer):
    id = public_id_field(help_text=ID_HELP)
    organization = serializers.CharField(source="organization.name", read_only=True)
    district = serializers.CharField(source="organization.district_id", allow_null=True, read_only=True)
    industry = serializers.CharField(source="industry_id", allow_null=True, read_only=True)
    partners = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = ["id", "kind", "title", "organization", "district", "industry", "year", "scenario", "results",
                  "partners", "counts_toward_target", "published_at"]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_partners(self, obj):
        return [p.name for p in obj.partners.all()]


def _year(value):
    if not str(value).isdigit() or not 2023 <= int(value) <= 2100:
        message = _g("Enter a year between 2023 and 2100.")
        raise ApiError(message, code="invalid", fields={"year": [message]})
    return int(value)


class CaseFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=CaseKind.choices)
    industry = django_filters.ModelChoiceFilter(field_name="industry", to_field_name="code",
                                                queryset=Industry.objects.all(), label="industry code")
    district = django_filters.ModelChoiceFilter(field_name="organization__district", to_field_name="code",
                                                queryset=District.objects.all(), label="district code")
    year = django_filters.NumberFilter(min_value=2023, max_value=2100)
    partner_type = django_filters.ChoiceFilter(choices=PartnerType.choices, method="filter_partner_type",
                                               label="partner type of the case's organisation")
    counts_toward_target = django_filters.BooleanFilter()

    class Meta:
        model = Case
        fields = ["kind", "industry", "district", "year", "partner_type", "counts_toward_target"]

    def filter_partner_type(self, qs, name, value):
        return qs.filter(pk__in=cases.showcase(partner_type=value).values("pk"))


class CaseViewSet(PublicReadViewSet):
    """The showcase: published pilot cases (标杆应用, 行业标杆解决方案)."""

    serializer_class = CaseSerializer
    queryset = Case.objects.none()
    filterset_class = CaseFilter
    ordering = ["-published_at", "-id"]

    def get_queryset(self):
        return cases.published_cases().select_related("organization").prefetch_related("partners")


class TargetProgressSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=CaseKind.choices)
    target = serializers.IntegerField()
    count = serializers.IntegerField(help_text="published cases staff designated for this year and kind")
    reached = serializers.BooleanField()


class TargetProgressViewSet(ApiViewSet):
    """Progress against the plan's yearly targets: designated cases counted per year and kind."""

    public_read = True
    read_scope = ApiScope.MEMBERS_READ
    serializer_class = TargetProgressSerializer
    pagination_class = None
    queryset = Case.objects.none()

    @extend_schema(responses=TargetProgressSerializer(many=True))
    def list(self, request):
        year = request.query_params.get("year")
        progress = cases.target_progress([_year(year)] if year else None)
        return Response(TargetProgressSerializer(progress, many=True).data)
