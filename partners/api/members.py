"""The public member directory in API v1: public facts only, filtered by type, district and industry."""

import django_filters
from django.db.models import BooleanField, Exists, OuterRef, Subquery, Value
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import mixins, serializers
from rest_framework.response import Response

from ..enums import PartnerType
from ..models import District, Industry, Membership, MembershipGrant
from ..models.api import ApiScope
from ..services import cache_scopes, directory
from ..services.cache import cached_api_read
from . import member_rows
from .base import ApiViewSet
from .filters import StrictOrderingFilter as OrderingFilter


class MemberSerializer(serializers.ModelSerializer):
    """Public facts of a member; never the people, phones or e-mail addresses behind it."""

    member_number = serializers.CharField(source="number")
    name = serializers.CharField(source="organization.name")
    name_en = serializers.CharField(source="organization.name_en")
    district = serializers.CharField(source="organization.district_id", allow_null=True)
    province = serializers.CharField(source="organization.province")
    website = serializers.CharField(source="organization.website", help_text="a URL, or empty")
    description = serializers.CharField(source="organization.description")
    partner_types = serializers.SerializerMethodField()
    industries = serializers.SerializerMethodField()

    class Meta:
        model = Membership
        fields = ["member_number", "name", "name_en", "district", "province", "website", "description",
                  "partner_types", "industries", "admitted_at"]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=PartnerType.choices)))
    def get_partner_types(self, obj):
        return directory.grant_codes(obj)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_industries(self, obj):
        return self.context.get("industries", {}).get(obj.pk, [])


class MemberFilter(django_filters.FilterSet):
    partner_type = django_filters.ChoiceFilter(choices=PartnerType.choices, method="filter_partner_type",
                                               label="partner type")
    # Codes of the reference lists: an unknown code is a 400 naming the field, not an empty page.
    district = django_filters.ModelChoiceFilter(field_name="organization__district", to_field_name="code",
                                                queryset=District.objects.all(), label="district code")
    industry = extend_schema_field(OpenApiTypes.STR)(django_filters.ModelChoiceFilter(
        method="filter_industry", to_field_name="code", queryset=Industry.objects.all(), label="industry code"))
    q = django_filters.CharFilter(method="filter_name", max_length=directory.MAX_QUERY_LENGTH,
                                  label="part of the name (Chinese or English)")

    class Meta:
        model = Membership
        fields = ["partner_type", "district", "industry", "q"]

    def filter_partner_type(self, qs, name, value):
        holds = directory.current_grants().filter(membership=OuterRef("pk"), partner_type=value)
        if self.form.cleaned_data.get("industry") is not None:
            # Along an industry's members (its index, newest first) the type is checked member by member and the
            # walk stops at the page's end. As EXISTS, PostgreSQL joins every grant of the type instead (it
            # expects one member per industry): a scan of the whole grants table for every page.
            return qs.filter(Subquery(holds.order_by().values(checked=Value(True))[:1], output_field=BooleanField()))
        return qs.filter(Exists(holds))

    def filter_industry(self, qs, name, value):
        return qs.filter(directory.industry_filter(value.code))

    def filter_name(self, qs, name, value):
        value = " ".join(value.split())
        if not value:
            return qs
        return qs.filter(organization__in=directory.organizations_named(value))


def industries_by_member(members) -> dict:
    """{membership id: [industry codes]} for a page of members, in one query."""
    ids = [m.pk for m in members]
    if not ids:
        return {}
    grants = MembershipGrant.objects.filter(membership_id__in=ids)
    by_application = {}
    for g in grants.only("membership_id", "application_id"):
        by_application.setdefault(g.application_id, set()).add(g.membership_id)
    out: dict = {}
    for application_id, industries in directory.industries_by_application(list(by_application)).items():
        for member_id in by_application[application_id]:
            out.setdefault(member_id, set()).update(industries)
    return {k: [code for _p, code in sorted(v)] for k, v in out.items()}


class MemberViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    """The public member directory. Anyone may read it; a key needs members:read."""

    serializer_class = MemberSerializer
    public_read = True
    response_cache = True  # anonymous reads come from the cache (cached_api_read); the throttle reads its generation
    read_scope = ApiScope.MEMBERS_READ
    lookup_field = "number"
    lookup_url_kwarg = "member_number"
    lookup_value_regex = "[^/]+"
    filterset_class = MemberFilter
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend, OrderingFilter]
    ordering_fields = ["admitted_at", "number"]
    ordering = ["-admitted_at", "-id"]

    queryset = Membership.objects.none()

    def get_queryset(self):
        if member_rows.enabled():
            return member_rows.public_rows()
        return directory.public_members()

    def filter_queryset(self, queryset):
        # Without any of its parameters the filter set changes nothing and refuses nothing: skip building it and
        # its form (a sizeable part of an unfiltered page's time). The ordering still applies.
        filtered = any(name in self.request.query_params for name in MemberFilter.base_filters)
        for backend in self.filter_backends:
            if filtered or not issubclass(backend, django_filters.rest_framework.DjangoFilterBackend):
                queryset = backend().filter_queryset(self.request, queryset, self)
        return queryset

    def cache_scopes(self, request, *args, **kwargs):
        """The response cache's scopes of this read (partners/services/cache_scopes.py)."""
        if "member_number" in kwargs:
            return cache_scopes.of_member(kwargs["member_number"])
        params = request.query_params
        return cache_scopes.of_list(params.get("partner_type", "")[:20], params.get("district", "")[:20],
                                    params.get("industry", "")[:20])

    @cached_api_read
    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        if member_rows.enabled():
            return self.get_paginated_response(member_rows.as_json(page))
        context = {**self.get_serializer_context(), "industries": industries_by_member(page)}
        return self.get_paginated_response(MemberSerializer(page, many=True, context=context).data)

    @cached_api_read
    def retrieve(self, request, *args, **kwargs):
        member = self.get_object()
        if member_rows.enabled():
            return Response(member_rows.as_json([member])[0])
        context = {**self.get_serializer_context(), "industries": industries_by_member([member])}
        return Response(MemberSerializer(member, context=context).data)
