"""Serializers of API v1: reference data, organisations, applications (read and draft edits), decisions."""

import uuid

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .. import workflow
from ..enums import (
    ApplicationState,
    Channel,
    ComputeService,
    DataRole,
    FundType,
    InvestmentStage,
    Modality,
    Ownership,
    PartnerType,
    Recommendation,
    Scale,
    SpecializedLevel,
)
from ..models import (
    Application,
    ApplicationProfile,
    Attachment,
    ComputeProfile,
    DataProfile,
    Decision,
    District,
    Industry,
    InvestmentProfile,
    ModelProfile,
    Organization,
    Scenario,
)

# --- Reference data ------------------------------------------------------------------------------


class PartnerTypeSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=PartnerType.choices)
    label = serializers.CharField()


class DistrictSerializer(serializers.ModelSerializer):
    class Meta:
        model = District
        fields = ["code", "name_zh", "name_en"]


class IndustrySerializer(serializers.ModelSerializer):
    class Meta:
        model = Industry
        fields = ["code", "name_zh", "name_en"]


# --- Public ids ----------------------------------------------------------------------------------


def public_id_field(source="public_id", **kwargs):
    """A resource's `id` in the API, or a reference to another resource: always its public id (UUID)."""
    return serializers.UUIDField(source=source, read_only=True, **kwargs)


ID_HELP = _("The resource's id (a UUID); address it by this id in URLs.")


class PublicIdRelatedField(serializers.SlugRelatedField):
    """A reference sent by a client: the public id of a row; anything else is refused as invalid."""

    def __init__(self, **kwargs):
        super().__init__(slug_field="public_id", **kwargs)

    def to_internal_value(self, data):
        try:
            data = uuid.UUID(str(data))
        except ValueError:
            self.fail("invalid")
        return super().to_internal_value(data)


# --- Organisations -------------------------------------------------------------------------------


def _blank_choice(choices):
    # Read-only copies of optional choice fields: "" means "not given", and the schema must say so.
    return serializers.ChoiceField(choices=choices, allow_blank=True, read_only=True)


class OrganizationSerializer(serializers.ModelSerializer):
    id = public_id_field(help_text=ID_HELP)
    member_number = serializers.SerializerMethodField()
    scale = _blank_choice(Scale.choices)
    ownership = _blank_choice(Ownership.choices)
    specialized_level = _blank_choice(SpecializedLevel.choices)
    website = serializers.CharField(read_only=True, help_text=_("a URL, or empty"))

    class Meta:
        model = Organization
        fields = ["id", "name", "name_en", "credit_code", "org_type", "legal_representative", "registered_capital",
                  "capital_currency", "founded_on", "registered_address", "district", "province", "in_etown",
                  "scale", "ownership", "high_tech_certificate", "specialized_level", "website", "description",
                  "member_number", "verification", "verified_at", "beijing_entity_name", "beijing_entity_credit_code",
                  "created_at", "updated_at"]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_member_number(self, obj):
        membership = getattr(obj, "membership", None)
        return membership.number if membership else None


# --- Profiles, one per partner type -----------------------------------------------------------------


class ComputeProfileSerializer(serializers.ModelSerializer):
    services = serializers.ListField(child=serializers.ChoiceField(choices=ComputeService.choices), required=False)

    class Meta:
        model = ComputeProfile
        fields = ["summary", "capacity_pflops_fp16", "accelerators_domestic", "accelerators_foreign",
                  "datacenter_locations", "services", "sme_pricing"]


class DataProfileSerializer(serializers.ModelSerializer):
    roles = serializers.ListField(child=serializers.ChoiceField(choices=DataRole.choices), required=False)
    modalities = serializers.ListField(child=serializers.ChoiceField(choices=Modality.choices), required=False)

    class Meta:
        model = DataProfile
        fields = ["summary", "roles", "domains", "modalities", "volume_tb", "compliance_certifications"]


class ModelProfileSerializer(serializers.ModelSerializer):
    industries = serializers.PrimaryKeyRelatedField(many=True, queryset=Industry.objects.filter(active=True),
                                                    required=False)

    class Meta:
        model = ModelProfile
        fields = ["summary", "industries", "base_models", "parameter_scale_billion", "algorithm_filing",
                  "genai_filing"]


class ScenarioSerializer(serializers.ModelSerializer):
    class Meta:
        model = Scenario
        fields = ["title", "description", "data_available", "budget_min_10k", "budget_max_10k"]

    def validate(self, attrs):
        low, high = attrs.get("budget_min_10k"), attrs.get("budget_max_10k")
        if low is not None and high is not None and low > high:
            raise serializers.ValidationError(
                {"budget_max_10k": [_("The budget's lower bound cannot exceed its upper bound.")]})
        return attrs


class ApplicationProfileSerializer(serializers.ModelSerializer):
    # A list sent replaces all the scenarios of the profile.
    scenarios = ScenarioSerializer(many=True, required=False, max_length=20)

    class Meta:
        model = ApplicationProfile
        fields = ["summary", "industry", "scenarios"]


class InvestmentProfileSerializer(serializers.ModelSerializer):
    fund_type = serializers.ChoiceField(choices=FundType.choices, allow_blank=True, required=False)
    stages = serializers.ListField(child=serializers.ChoiceField(choices=InvestmentStage.choices), required=False)

    class Meta:
        model = InvestmentProfile
        fields = ["summary", "fund_type", "fund_size_100m", "stages", "focus_areas", "ai_investments"]


PROFILE_SERIALIZERS = {
    PartnerType.COMPUTE: ComputeProfileSerializer,
    PartnerType.DATA: DataProfileSerializer,
    PartnerType.MODEL: ModelProfileSerializer,
    PartnerType.APPLICATION: ApplicationProfileSerializer,
    PartnerType.INVESTMENT: InvestmentProfileSerializer,
}


class ProfilesSerializer(serializers.Serializer):
    """What the applicant offers per partner type; only the types applied for are present."""

    compute = ComputeProfileSerializer(required=False)
    data = DataProfileSerializer(required=False)
    model = ModelProfileSerializer(required=False)
    application = ApplicationProfileSerializer(required=False)
    investment = InvestmentProfileSerializer(required=False)

    def to_representation(self, application):
        out = {}
        for t in application.partner_types:
            model = PROFILE_SERIALIZERS[t].Meta.model
            try:
                # The reverse one-to-one, select_related by the view: no query per row.
                profile = getattr(application, model._meta.model_name)
            except model.DoesNotExist:
                continue
            out[t] = PROFILE_SERIALIZERS[t](profile).data
        return out


# --- Applications ----------------------------------------------------------------------------------


class AttachmentSerializer(serializers.ModelSerializer):
    id = public_id_field(help_text=_("The attachment's id (a UUID)."))
    name = serializers.CharField(source="original_name", read_only=True)

    class Meta:
        model = Attachment
        fields = ["id", "kind", "name", "content_type", "size", "sha256", "uploaded_at"]
        read_only_fields = fields


class AttachmentUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text=_("PDF, JPEG or PNG; the content decides, not the name."))
    kind = serializers.ChoiceField(choices=Attachment.Kind.choices, default=Attachment.Kind.OTHER)


class AvailableActionSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=workflow.ACTIONS)
    label = serializers.CharField()
    requires = serializers.ListField(child=serializers.CharField())


class ApplicationSerializer(serializers.ModelSerializer):
    id = public_id_field(help_text=ID_HELP)
    public_id = serializers.UUIDField(read_only=True, help_text=_(
        "The same value as `id`; kept for clients that read it before every id became a UUID."))
    organization = public_id_field("organization.public_id", help_text=_("the organisation's id"))
    channel = _blank_choice(Channel.choices)
    state = serializers.ChoiceField(choices=ApplicationState.choices, read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    partner_types = serializers.ListField(child=serializers.ChoiceField(choices=PartnerType.choices), read_only=True)
    invitation_code = serializers.SerializerMethodField()
    call = serializers.UUIDField(source="call.public_id", read_only=True, allow_null=True,
                                 help_text=_("The id of the call (申报批次) the application belongs to."))
    receipt_number = serializers.CharField(read_only=True, allow_null=True,
                                           help_text=_("受理编号, given at the first submission."))
    profiles = ProfilesSerializer(source="*", read_only=True)
    attachments = serializers.SerializerMethodField()
    available_actions = serializers.SerializerMethodField()
    missing = serializers.SerializerMethodField(
        help_text=_("What is still missing before submission, per step (drafts and returned applications)."))

    class Meta:
        model = Application
        fields = ["id", "public_id", "organization", "state", "state_label", "partner_types", "channel",
                  "invitation_code", "recommender_name", "contact_name", "contact_title", "contact_phone",
                  "contact_email", "declaration_accepted", "call", "receipt_number", "submitted_at", "decided_at",
                  "publicity_ends_at", "created_at", "updated_at", "profiles", "attachments", "available_actions",
                  "missing"]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_invitation_code(self, obj):
        return obj.invitation.code if obj.invitation_id else None

    @extend_schema_field(AvailableActionSerializer(many=True))
    def get_available_actions(self, obj):
        request = self.context.get("request")
        user = getattr(request, "user", None)
        return [{"action": t.action, "label": str(t.label), "requires": list(t.requires)}
                for t in workflow.available_actions(obj, user)]

    @extend_schema_field(AttachmentSerializer(many=True))
    def get_attachments(self, obj):
        # Filtered in Python so the prefetched rows serve every application of a list.
        return AttachmentSerializer([a for a in obj.attachments.all() if a.purged_at is None], many=True).data

    @extend_schema_field(serializers.DictField(child=serializers.ListField(child=serializers.CharField()),
                                               allow_null=True))
    def get_missing(self, obj):
        if not self.context.get("detail"):
            return None  # costly per row; lists leave it out, detail reads carry it
        if obj.state not in (ApplicationState.DRAFT, ApplicationState.CHANGES_REQUESTED):
            return {}
        from ..services.applications import completeness_errors

        return {step: [str(m) for m in messages] for step, messages in completeness_errors(obj).items()}


class ProfilesWriteSerializer(serializers.Serializer):
    compute = ComputeProfileSerializer(required=False, partial=True)
    data = DataProfileSerializer(required=False, partial=True)
    model = ModelProfileSerializer(required=False, partial=True)
    application = ApplicationProfileSerializer(required=False, partial=True)
    investment = InvestmentProfileSerializer(required=False, partial=True)


class ApplicationWriteSerializer(serializers.Serializer):
    """A draft's editable facts; every field is optional, so a draft saves without tripping required fields."""

    organization = PublicIdRelatedField(
        queryset=Organization.objects.all(), required=False,
        help_text=_("Only when creating; defaults to your organisation when you act for exactly one."))
    partner_types = serializers.ListField(child=serializers.ChoiceField(choices=PartnerType.choices),
                                         required=False, max_length=len(PartnerType.values))
    channel = serializers.ChoiceField(choices=Channel.choices, required=False, allow_blank=True)
    invitation_code = serializers.CharField(required=False, allow_blank=True, max_length=32)
    recommender_name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    contact_name = serializers.CharField(required=False, allow_blank=True, max_length=50)
    contact_title = serializers.CharField(required=False, allow_blank=True, max_length=50)
    contact_phone = serializers.CharField(required=False, allow_blank=True, max_length=20)
    contact_email = serializers.EmailField(required=False, allow_blank=True)
    declaration_accepted = serializers.BooleanField(required=False)
    profiles = ProfilesWriteSerializer(required=False)

    def validate_contact_phone(self, value):
        if value:
            from django.core.exceptions import ValidationError as DjangoValidationError

            from ..phones import normalize_phone, validate_phone

            try:
                validate_phone(value)  # the contact may be an office landline, as in the web form
            except DjangoValidationError as exc:
                raise serializers.ValidationError(exc.messages) from None
            return normalize_phone(value)
        return value


class ActionInputSerializer(serializers.Serializer):
    """Inputs of a workflow action; which ones an action needs is listed in `available_actions[].requires`."""

    message = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    points = serializers.ListField(child=serializers.CharField(max_length=1000), required=False, max_length=50)
    recommendations = serializers.DictField(child=serializers.ChoiceField(choices=Recommendation.choices),
                                            required=False)
    granted_types = serializers.ListField(child=serializers.ChoiceField(choices=PartnerType.choices),
                                         required=False, max_length=len(PartnerType.values))
    reason = serializers.CharField(required=False, allow_blank=True, max_length=1000)
    cite_panel = serializers.BooleanField(
        required=False, help_text=_("pass_to_final: keep the expert panel's aggregate with the recommendation "
                                    "(only once an expert has submitted scores)."))
    expected_state = serializers.ChoiceField(
        choices=ApplicationState.choices, required=False,
        help_text=_("Refuse (409) if the application is no longer in this state."))

    def validate_recommendations(self, value):
        unknown = [k for k in value if k not in PartnerType.values]
        if unknown:
            raise serializers.ValidationError(_("Unknown partner type: %(t)s.") % {"t": ", ".join(unknown)})
        return value


# What a decision says per partner type: a first reviewer's recommendation, or the final outcome.
DECISION_PER_TYPE = ["grant", "decline", "granted", "declined"]


class DecisionSerializer(serializers.ModelSerializer):
    id = public_id_field(help_text=ID_HELP)
    application = public_id_field("application.public_id", help_text=_("the application's id"))
    actor = serializers.SerializerMethodField()
    action = serializers.ChoiceField(choices=workflow.ACTIONS)
    per_type = serializers.DictField(child=serializers.ChoiceField(choices=DECISION_PER_TYPE),
                                     help_text="per requested partner type")

    class Meta:
        model = Decision
        fields = ["id", "application", "level", "action", "actor", "per_type", "reason", "letter_subject",
                  "created_at"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.STR)
    def get_actor(self, obj):
        return obj.actor.email if obj.actor_id else ""
