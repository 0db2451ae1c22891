"""Pairings and subsidy claims in API v1: propose and answer pairings, draft claims and upload their documents,
and fire both processes' actions at POST …/actions/{action}/ through the same workflow engine as the web."""

import django_filters
from django.db import IntegrityError
from django.db.models import Q
from django.utils.translation import gettext as _g
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from ..enums import PairingOutcome, PairingSide, PairingState, SubsidyClaimState, SubsidyDocumentKind
from ..models import Organization, OrganizationMember, Pairing, SubsidyClaim
from ..permissions import can
from ..services import pairings as pairing_services
from ..services import subsidy_claims as claim_services
from ..services import subsidy_rules
from ..workflow import PAIRING, SUBSIDY_CLAIM, available_actions, engine
from .base import ApiViewSet, actor_of
from .errors import ApiError
from .mixins import ProcessScopeMixin, UploadSizeLimitMixin
from .parsers import StrictJSONParser
from .public_ids import PublicIdLookupMixin
from .serializers import ID_HELP, AvailableActionSerializer, PublicIdRelatedField, public_id_field

MEMBER_ACTIONS = {"accept", "decline", "withdraw", "submit"}


def _actions(obj, request):
    user = getattr(request, "user", None)
    return [{"action": t.action, "label": str(t.label), "requires": list(t.requires)}
            for t in available_actions(obj, user)]


def _fire(view, process, obj, action_name, inputs):
    if action_name not in process.actions:
        raise ApiError(_g("There is no action “%(a)s”.") % {"a": action_name}, code="unknown_action",
                       status_code=status.HTTP_404_NOT_FOUND)
    try:
        engine.fire(process.name, obj.pk, action_name, actor_of(view.request), **inputs)
    except IntegrityError:
        # Two submissions of one contract raced; the unique index kept one.
        raise ApiError(_g("A claim for this contract was already submitted: one claim per contract."),
                       code="duplicate", status_code=status.HTTP_409_CONFLICT) from None


# --- Pairings ----------------------------------------------------------------------------------------------

class PairingMilestoneSerializer(serializers.Serializer):
    reached_on = serializers.DateField()
    title = serializers.CharField()
    note = serializers.CharField()


class PairingSerializer(serializers.ModelSerializer):
    id = public_id_field(help_text=ID_HELP)
    application_partner = public_id_field("application_partner.public_id", help_text="the user unit's organisation id")
    model_partner = public_id_field("model_partner.public_id", help_text="the model team's organisation id")
    compute_partner = public_id_field("compute_partner.public_id", allow_null=True,
                                      help_text="the compute partner's organisation id, if any")
    application_partner_name = serializers.CharField(source="application_partner.name", read_only=True)
    model_partner_name = serializers.CharField(source="model_partner.name", read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    milestones = PairingMilestoneSerializer(many=True, read_only=True)
    available_actions = serializers.SerializerMethodField()

    class Meta:
        model = Pairing
        fields = ["id", "application_partner", "application_partner_name", "model_partner", "model_partner_name",
                  "compute_partner", "proposed_by_side", "state", "state_label", "scenario", "model_title",
                  "starts_on", "expected_outcome", "outcome", "outcome_evidence", "outcome_recorded_on", "reason",
                  "confirmed_at", "created_at", "milestones", "available_actions"]
        read_only_fields = fields

    @extend_schema_field(AvailableActionSerializer(many=True))
    def get_available_actions(self, obj):
        return _actions(obj, self.context.get("request"))


class PairingProposalSerializer(serializers.Serializer):
    organization = PublicIdRelatedField(queryset=Organization.objects.all(),
                                        help_text="your organisation's id (the proposing side)")
    side = serializers.ChoiceField(choices=PairingSide.choices, help_text="your organisation's side")
    partner = PublicIdRelatedField(queryset=Organization.objects.all(), help_text="the other side's organisation id")
    compute_partner = PublicIdRelatedField(queryset=Organization.objects.all(), required=False, allow_null=True)
    scenario = serializers.CharField(max_length=200)
    model_title = serializers.CharField(max_length=200)
    starts_on = serializers.DateField()
    expected_outcome = serializers.CharField(max_length=1000, required=False, allow_blank=True)


class PairingActionSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    outcome = serializers.ChoiceField(choices=[c for c in PairingOutcome.choices if c[0]], required=False)
    evidence = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    expected_state = serializers.ChoiceField(choices=PairingState.choices, required=False,
                                             help_text="Refuse (409) if the pairing is no longer in this state.")


class PairingFilter(django_filters.FilterSet):
    class Meta:
        model = Pairing
        fields = ["state"]


class PairingViewSet(ProcessScopeMixin, PublicIdLookupMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                     ApiViewSet):
    """Pairings of your organisations, and every standing (confirmed) pairing; staff see every pairing."""

    serializer_class = PairingSerializer
    queryset = Pairing.objects.none()
    own_actions = MEMBER_ACTIONS
    write_actions = frozenset({"create"})
    filterset_class = PairingFilter
    ordering_fields = ["id", "created_at"]
    ordering = ["-id"]

    def get_queryset(self):
        qs = Pairing.objects.select_related("application_partner", "model_partner",
                                            "compute_partner").prefetch_related("milestones")
        user = self.request.user
        if can(user, "pairing.queue"):
            return qs
        mine = OrganizationMember.objects.filter(user=user).values("organization_id")
        visible = (Q(application_partner__in=mine) | Q(model_partner__in=mine) | Q(compute_partner__in=mine))
        if pairing_services.public():
            visible |= Q(state__in=PairingState.confirmed_states())
        return qs.filter(visible)

    @extend_schema(request=PairingProposalSerializer, responses={201: PairingSerializer})
    def create(self, request):
        """Propose a pairing for your organisation; the other side accepts it, then the plan office confirms."""
        incoming = PairingProposalSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        pairing = pairing_services.propose(request.user, data.pop("organization"), **data)
        fresh = self.get_queryset().get(pk=pairing.pk)
        return Response(PairingSerializer(fresh, context=self.get_serializer_context()).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(
        request=PairingActionSerializer, responses=PairingSerializer,
        parameters=[OpenApiParameter("action_name", OpenApiTypes.STR, OpenApiParameter.PATH,
                                     enum=PAIRING.actions, description="a pairing action")],
    )
    @action(detail=True, methods=["post"], url_path=r"actions/(?P<action_name>[a-z_]+)",
            parser_classes=[StrictJSONParser])
    def fire_action(self, request, action_name=None, **kwargs):
        """Fire a pairing action through the workflow engine (see available_actions)."""
        pairing = self.get_object()
        incoming = PairingActionSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        _fire(self, PAIRING, pairing, action_name, dict(incoming.validated_data))
        fresh = self.get_queryset().get(pk=pairing.pk)
        return Response(PairingSerializer(fresh, context=self.get_serializer_context()).data)


# --- Subsidy claims ----------------------------------------------------------------------------------------

class SubsidyDocumentSerializer(serializers.Serializer):
    kind = serializers.CharField()
    name = serializers.CharField(source="original_name")
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    uploaded_at = serializers.DateTimeField()


class SubsidyClaimSerializer(serializers.ModelSerializer):
    id = public_id_field(help_text=ID_HELP)
    organization = public_id_field("organization.public_id", help_text="the claimant's organisation id")
    pairing = public_id_field("pairing.public_id", help_text="the pairing's id")
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    rule_effective_from = serializers.DateField(source="rule.effective_from", read_only=True, allow_null=True,
                                                help_text="the rules version applied: the day it took effect")
    documents = SubsidyDocumentSerializer(many=True, read_only=True)
    available_actions = serializers.SerializerMethodField()
    missing = serializers.SerializerMethodField(help_text="What the claimant must still provide (drafts).")
    preview_amount = serializers.SerializerMethodField(
        help_text="For a claim not yet submitted: the amount the rules in force would give now (yuan).")

    class Meta:
        model = SubsidyClaim
        fields = ["id", "organization", "pairing", "state", "state_label", "provider_title", "provider_credit_code",
                  "contract_number", "contract_signed_on", "service_starts_on", "service_ends_on",
                  "contract_amount", "invoiced_amount", "compute_delivered", "year", "rule_effective_from",
                  "claimed_amount", "computation", "approved_amount", "payment_reference", "paid_on", "reason",
                  "submitted_at", "created_at", "documents", "available_actions", "missing", "preview_amount"]
        read_only_fields = fields

    @extend_schema_field(AvailableActionSerializer(many=True))
    def get_available_actions(self, obj):
        return _actions(obj, self.context.get("request"))

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_missing(self, obj):
        return [str(m) for m in claim_services.missing(obj)] if obj.state in claim_services.EDITABLE else []

    @extend_schema_field(serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True))
    def get_preview_amount(self, obj):
        if obj.state not in claim_services.EDITABLE:
            return None
        result = subsidy_rules.preview(obj)
        return str(result.amount) if result else None


class SubsidyClaimWriteSerializer(serializers.Serializer):
    pairing = PublicIdRelatedField(queryset=Pairing.objects.all(), help_text="the pairing's id")
    provider_title = serializers.CharField(max_length=200)
    provider_credit_code = serializers.CharField(max_length=40)
    contract_number = serializers.CharField(max_length=60)
    contract_signed_on = serializers.DateField()
    service_starts_on = serializers.DateField()
    service_ends_on = serializers.DateField()
    contract_amount = serializers.CharField(max_length=30, help_text="yuan, e.g. \"1000000.00\"")
    invoiced_amount = serializers.CharField(max_length=30, help_text="yuan, e.g. \"800000.00\"")
    compute_delivered = serializers.CharField(max_length=500)


class SubsidyClaimActionSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    approved_amount = serializers.CharField(required=False, max_length=30, help_text="yuan, e.g. \"75000.00\"")
    payment_reference = serializers.CharField(required=False, max_length=60)
    paid_on = serializers.DateField(required=False)
    expected_state = serializers.ChoiceField(choices=SubsidyClaimState.choices, required=False,
                                             help_text="Refuse (409) if the claim is no longer in this state.")


class SubsidyDocumentUploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    kind = serializers.ChoiceField(choices=SubsidyDocumentKind.choices)


class SubsidyClaimFilter(django_filters.FilterSet):
    class Meta:
        model = SubsidyClaim
        fields = ["state", "year"]


class SubsidyClaimViewSet(UploadSizeLimitMixin, ProcessScopeMixin, PublicIdLookupMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                          ApiViewSet):
    """Subsidy claims: your organisations' claims; staff who review see every claim."""

    serializer_class = SubsidyClaimSerializer
    queryset = SubsidyClaim.objects.none()
    own_actions = MEMBER_ACTIONS
    write_actions = frozenset({"create", "documents"})
    filterset_class = SubsidyClaimFilter
    ordering_fields = ["id", "created_at", "submitted_at"]
    ordering = ["-id"]
    parser_classes = [StrictJSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        qs = SubsidyClaim.objects.select_related("organization", "pairing", "rule").prefetch_related("documents")
        user = self.request.user
        if can(user, "subsidy.queue"):
            return qs
        return qs.filter(organization__in=OrganizationMember.objects.filter(user=user).values("organization_id"))

    def _read(self, claim, code=status.HTTP_200_OK):
        fresh = self.get_queryset().get(pk=claim.pk)
        return Response(SubsidyClaimSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    @extend_schema(request=SubsidyClaimWriteSerializer, responses={201: SubsidyClaimSerializer})
    def create(self, request):
        """Start a draft claim of the pairing's model team for one compute contract (the amount is computed)."""
        incoming = SubsidyClaimWriteSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        claim = claim_services.create_claim(request.user, data.pop("pairing"), data)
        return self._read(claim, status.HTTP_201_CREATED)

    @extend_schema(
        request=SubsidyClaimActionSerializer, responses=SubsidyClaimSerializer,
        parameters=[OpenApiParameter("action_name", OpenApiTypes.STR, OpenApiParameter.PATH,
                                     enum=SUBSIDY_CLAIM.actions, description="a subsidy-claim action")],
    )
    @action(detail=True, methods=["post"], url_path=r"actions/(?P<action_name>[a-z_]+)",
            parser_classes=[StrictJSONParser])
    def fire_action(self, request, action_name=None, **kwargs):
        """Fire a subsidy-claim action through the workflow engine (see available_actions)."""
        claim = self.get_object()
        incoming = SubsidyClaimActionSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        inputs = dict(incoming.validated_data)
        if inputs.get("approved_amount") is not None:
            inputs["approved_amount"] = subsidy_rules.parse_money(inputs["approved_amount"], _g("The amount approved"))
        _fire(self, SUBSIDY_CLAIM, claim, action_name, inputs)
        return self._read(claim)

    @extend_schema(methods=["GET"], responses=SubsidyDocumentSerializer(many=True))
    @extend_schema(methods=["POST"], request={"multipart/form-data": SubsidyDocumentUploadSerializer},
                   responses={201: SubsidyDocumentSerializer})
    @action(detail=True, methods=["get", "post"], parser_classes=[MultiPartParser, FormParser],
            pagination_class=None, filter_backends=[])
    def documents(self, request, **kwargs):
        """List the claim's documents, or upload one (multipart: `file`, `kind`)."""
        claim = self.get_object()
        if request.method == "GET":
            return Response(SubsidyDocumentSerializer(claim.documents.all(), many=True).data)
        request.data  # noqa: B018 - parse now: the size-limit handler reports while parsing
        if getattr(request._request, "upload_too_large", False):
            raise ApiError(_g("The file is larger than allowed."), code="too_large",
                           fields={"file": [_g("The file is larger than allowed.")]})
        incoming = SubsidyDocumentUploadSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        document = claim_services.add_document(request.user, claim, incoming.validated_data["file"],
                                               incoming.validated_data["kind"])
        return Response(SubsidyDocumentSerializer(document).data, status=status.HTTP_201_CREATED)
