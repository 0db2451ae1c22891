"""Admin of calls: dates, types and guidance, the panel of experts, and the rubrics with their criteria.

Expert assignments and scores are not edited here: they change only through the panel's process.
"""

from django.contrib import admin

from ..models import Call, Criterion, PanelExpert, Rubric
from ..services.panel import copy_rubrics


class PanelExpertInline(admin.TabularInline):
    model = PanelExpert
    extra = 0
    autocomplete_fields = ()
    raw_id_fields = ("expert",)


@admin.register(Call)
class CallAdmin(admin.ModelAdmin):
    list_display = ("title", "always_open", "opens_at", "closes_at", "panel_deadline")
    list_filter = ("always_open",)
    search_fields = ("title", "title_en")
    readonly_fields = ("code",)
    inlines = (PanelExpertInline,)

    def save_model(self, request, obj, form, change):
        previous = None if change else Call.objects.order_by("-created_at", "-pk").first()
        super().save_model(request, obj, form, change)
        if previous is not None:
            copy_rubrics(previous, obj)  # a new call starts with the previous call's rubrics


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 1


@admin.register(Rubric)
class RubricAdmin(admin.ModelAdmin):
    list_display = ("call", "partner_type", "scale_min", "scale_max")
    list_filter = ("partner_type",)
    inlines = (CriterionInline,)
