"""Reference data for integrations: partner types, districts, industries (public, no key needed)."""

from rest_framework import mixins
from rest_framework.response import Response

from ..enums import PartnerType
from ..models import District, Industry
from .base import ApiViewSet
from .serializers import DistrictSerializer, IndustrySerializer, PartnerTypeSerializer


class PartnerTypeViewSet(ApiViewSet):
    """The five kinds of partner, with their stable codes and translated labels."""

    serializer_class = PartnerTypeSerializer
    public_read = True
    pagination_class = None
    filter_backends = []

    def list(self, request):
        rows = [{"code": code, "label": str(label)} for code, label in PartnerType.choices]
        return Response(self.get_serializer(rows, many=True).data)


class _ReferenceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    public_read = True
    pagination_class = None
    filter_backends = []
    lookup_field = "code"
    lookup_value_regex = "[^/]+"


class DistrictViewSet(_ReferenceViewSet):
    """Beijing's districts (GB/T 2260 codes) and `outside` for organisations elsewhere."""

    queryset = District.objects.filter(active=True)
    serializer_class = DistrictSerializer


class IndustryViewSet(_ReferenceViewSet):
    """Industries served by model partners and applied in by application partners."""

    queryset = Industry.objects.filter(active=True)
    serializer_class = IndustrySerializer
