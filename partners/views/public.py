"""Public pages: home, member directory and member pages, statistics, and the roster export."""

from urllib.parse import urlencode

from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from .. import charts
from ..enums import PartnerType
from ..services import cache_scopes, directory, public_rows, roster, statistics
from ..services.cache import QUEUE, cached_page

# What each kind of partner is, in the words of the plan (section 4); the Chinese is the plan's text.
PARTNER_TYPE_TEXT = {
    PartnerType.COMPUTE: _(
        "Compute partners supply diverse, high-quality compute to the city's large-model companies and AIGC "
        "firms, serve local model teams and start-ups first, offer value-added AI development tools, and "
        "lower the threshold of compute for SMEs and individual developers."),
    PartnerType.DATA: _(
        "Data partners are the data providers, data service providers and data exchanges of the data market. "
        "Together they supply the high-quality data that training large models needs, and keep it flowing "
        "in a compliant, efficient, safe and orderly way."),
    PartnerType.MODEL: _(
        "Model partners are solution providers serving government, industry, health, transport, finance, "
        "education, culture and tourism and other sectors. Led by typical scenarios, they build industry "
        "models on general models, deliver industry applications and daily service, and feed the industry "
        "models back into the general ones."),
    PartnerType.APPLICATION: _(
        "Application partners are users in every industry who use large models to support their business. "
        "They open their typical scenarios to build precise models on industry data, and gain a distinct "
        "competitive edge."),
    PartnerType.INVESTMENT: _(
        "Investment partners empower the general AI industry with capital: they incubate, guide and drive, "
        "push technological innovation, grow benchmark companies and help projects land."),
}
PARTNER_TYPES = [(t.value, t.label, PARTNER_TYPE_TEXT[t]) for t in PartnerType]


@require_safe
@cached_page(also=[QUEUE])
def home(request):
    publicity = public_rows.publicity_rows()
    kept = statistics.read_kept()
    per_type = {code: n for code, _label, n in statistics.members_per_partner_type(kept).rows}
    partner_types = [(code, label, text, per_type.get(code, 0)) for code, label, text in PARTNER_TYPES]
    return render(request, "partners/public/home.html", {
        "publicity": publicity,
        "figures": statistics.key_figures(kept),
        "partner_types": partner_types,
    })


def _directory_scopes(request):
    filters = directory.DirectoryFilters.from_params(request.GET)
    return cache_scopes.of_list(filters.partner_type, filters.district, filters.industry)


@require_safe
@cached_page(scopes=_directory_scopes)
def directory_page(request):
    filters = directory.DirectoryFilters.from_params(request.GET)
    references = public_rows.References()
    page = public_rows.directory_page(filters, after=request.GET.get("after", ""),
                                      before=request.GET.get("before", ""), references=references)
    params = filters.as_params()

    def link(base, **extra):
        query = urlencode({**params, **extra})
        return f"{base}?{query}" if query else base

    here = reverse("public:directory")
    links = {
        "csv": link(reverse("public:roster_csv")), "xlsx": link(reverse("public:roster_xlsx")),
        "first": link(here),
        "prev": link(here, before=page.prev_cursor) if page.prev_cursor else "",
        "next": link(here, after=page.next_cursor) if page.next_cursor else "",
    }
    return render(request, "partners/public/directory.html", {
        "filters": filters, "page": page, "links": links, **references.filter_choices(),
    })


@require_safe
@cached_page(scopes=lambda request, number: cache_scopes.of_member(number))
def member_page(request, number):
    member = directory.member_detail(number)
    if member is None:
        raise Http404
    return render(request, "partners/public/member.html", {"member": member})


@require_safe
def revoked_page(request):
    """The public record of revocations (撤销名单) for REVOCATION_PUBLIC_DAYS. Not cached: an entry leaves the
    list when its period ends, with no write to renew a cached page."""
    from django.conf import settings
    from django.core.paginator import Paginator

    page = Paginator(directory.revoked_members(), 50).get_page(request.GET.get("page"))
    return render(request, "partners/public/revoked.html",
                  {"page": page, "days": settings.REVOCATION_PUBLIC_DAYS})


@require_safe
@cached_page
def statistics_page(request):
    kept = statistics.read_kept()
    per_type = statistics.members_per_partner_type(kept)
    per_district = statistics.members_per_district(kept)
    per_industry = statistics.members_per_industry(kept)
    per_month = statistics.admissions_per_month(kept=kept)
    from django.utils.translation import gettext as _g

    blocks = [
        ("types", _g("Members per partner type"), per_type, charts.bar_chart(per_type, _g("Members per partner type")),
         _g("Partner type")),
        ("districts", _g("Members per district"), per_district,
         charts.bar_chart(per_district, _g("Members per district")), _g("District")),
        ("industries", _g("Members per industry"), per_industry,
         charts.bar_chart(per_industry, _g("Members per industry")), _g("Industry")),
        ("months", _g("Admissions per month"), per_month,
         charts.column_chart(per_month, _g("Admissions per month")), _g("Month")),
    ]
    return render(request, "partners/public/statistics.html", {"blocks": blocks})


def _stamp():
    return timezone.localtime().strftime("%Y%m%d")


@require_safe
def roster_csv(request):
    filters = directory.DirectoryFilters.from_params(request.GET)
    response = StreamingHttpResponse(roster.csv_lines(filters), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="members-{_stamp()}.csv"'
    return response


@require_safe
def roster_xlsx(request):
    filters = directory.DirectoryFilters.from_params(request.GET)
    return FileResponse(
        roster.xlsx_file(filters), as_attachment=True, filename=f"members-{_stamp()}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
