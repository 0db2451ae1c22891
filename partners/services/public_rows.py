"""Public lists as plain rows: a page of members in one query, their partner types in a second, labels from one
read of each reference list, so that a page builds no model instance and resolves no URL per row.

The directory page renders 20 rows; built from Membership instances with their organisation, district and
grants, each row cost four model instances, a `reverse()` and a dozen attribute walks in the template, which
was most of the page's time (bench/RESULTS.md). Rows here are dicts, the cheapest thing for a Django template
to look into.
"""

from urllib.parse import quote

from django.urls import reverse
from django.utils.translation import get_language

from ..enums import PartnerType, in_type_order
from ..models import District, Industry
from . import directory

ROW_FIELDS = ("pk", "number", "admitted_at", "organization__name", "organization__name_en",
              "organization__district_id", "organization__province")
# What reverse() leaves unquoted in a path (django.urls.resolvers), less "/", which no member number holds.
_PATH_SAFE = "!$&'()*+,;=~:@"
_PLACEHOLDER = "0"


def _label(item) -> str:
    return item.name_en if (get_language() or "").startswith("en") else item.name_zh


class References:
    """The districts (all, for labels; active ones, for the filter) and the active industries, each read once."""

    def __init__(self):
        self.districts = list(District.objects.order_by("position", "code").values_list(
            "code", "name_zh", "name_en", "active", named=True))
        self.industries = list(Industry.objects.filter(active=True).order_by("position", "code").values_list(
            "code", "name_zh", "name_en", named=True))
        self.district_label = {d.code: _label(d) for d in self.districts}

    def filter_choices(self) -> dict:
        """(code, label) pairs for the directory's filters, in the lists' order."""
        return {
            "partner_types": PartnerType.choices,
            "districts": [(d.code, self.district_label[d.code]) for d in self.districts if d.active],
            "industries": [(i.code, _label(i)) for i in self.industries],
        }


def member_path(number: str, _prefix_suffix=None) -> str:
    """The public page of a member, as reverse("public:member") writes it, without resolving the pattern again."""
    prefix, suffix = _prefix_suffix or member_path_parts()
    return prefix + quote(number, safe=_PATH_SAFE) + suffix


def member_path_parts() -> tuple[str, str]:
    """The member page's path around the member number (the script prefix included), resolved once a page."""
    path = reverse("public:member", args=[_PLACEHOLDER])
    at = path.rindex(f"/{_PLACEHOLDER}/") + 1
    return path[:at], path[at + len(_PLACEHOLDER):]


def types_of(member_ids) -> dict:
    """{membership id: [partner type codes in force, in type order]} in one query."""
    out: dict = {}
    if not member_ids:
        return out
    for member_id, code in (directory.current_grants().filter(membership_id__in=member_ids)
                            .values_list("membership_id", "partner_type")):
        out.setdefault(member_id, []).append(code)
    return {k: in_type_order(v) for k, v in out.items()}


def directory_page(filters, *, after="", before="", references=None) -> directory.Page:
    """One page of the directory, its items row dicts: url, name, name_en, district (its label), province,
    types (labels in type order), number and admitted_at."""
    references = references or References()
    qs = directory.search(filters).prefetch_related(None).values_list(*ROW_FIELDS, named=True)
    page = directory.paginate(qs, after=after, before=before)
    types = types_of([row.pk for row in page.items])
    labels = dict(PartnerType.choices)
    parts = member_path_parts()
    page.items = [{
        "url": member_path(row.number, parts),
        "name": row.organization__name,
        "name_en": row.organization__name_en,
        "district": references.district_label.get(row.organization__district_id, ""),
        "province": row.organization__province,
        "types": [labels[code] for code in types.get(row.pk, ())],
        "number": row.number,
        "admitted_at": row.admitted_at,
    } for row in page.items]
    return page


def publicity_rows(limit=20) -> list[dict]:
    """The applications in their public notice period, soonest ending first, as rows: name, name_en, partner types
    (labels joined as Application.get_partner_types_display writes them) and publicity_ends_at; two queries."""
    from ..enums import ApplicationState
    from ..models import Application, RequestedType

    rows = list(Application.objects.filter(state=ApplicationState.PUBLICITY).order_by("publicity_ends_at", "pk")
                .values_list("pk", "organization__name", "organization__name_en", "publicity_ends_at",
                             named=True)[:limit])
    types: dict = {}
    for application_id, code in (RequestedType.objects.filter(application_id__in=[r.pk for r in rows])
                                 .values_list("application_id", "partner_type")):
        types.setdefault(application_id, []).append(code)
    labels = dict(PartnerType.choices)
    return [{
        "name": row.organization__name,
        "name_en": row.organization__name_en,
        "partner_types": ", ".join(str(labels[code]) for code in in_type_order(types.get(row.pk, ()))),
        "publicity_ends_at": row.publicity_ends_at,
    } for row in rows]
