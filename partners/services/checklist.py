"""The checklist on the review step: every requirement of submission, met or not, before the click.

completeness_errors() says what is missing; this lists all that submission asks for, so an applicant
sees the whole list (ticked or not) instead of discovering requirements one refusal at a time.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _g

from ..enums import Channel, PartnerType
from ..models import Attachment


@dataclass
class Item:
    step: str
    label: str
    ok: bool


def submit_checklist(application, errors=None) -> list[Item]:
    from .applications import completeness_errors, profile_of

    errors = completeness_errors(application) if errors is None else errors
    org = application.organization
    types = application.partner_types
    items = [
        Item("organization", _g("Organisation: name, legal representative, registered address and district"),
             bool(org.name and org.credit_code and org.legal_representative and org.registered_address
                  and org.district_id)),
        Item("organization", _g("Contact person with name, phone and e-mail"),
             bool(application.contact_name and application.contact_phone and application.contact_email)),
        Item("types", _g("At least one partner type"), bool(types)),
    ]
    for t in types:
        profile = profile_of(application, t)
        items.append(Item("profiles", _g("What you offer as %(t)s") % {"t": PartnerType(t).label},
                          profile is not None and bool(profile.summary.strip())))
        if t == PartnerType.APPLICATION:
            scenarios = list(profile.scenarios.all()) if profile is not None else []
            items.append(Item("profiles", _g("At least one scenario, each with a title and a description"),
                              bool(scenarios) and all(s.title.strip() and s.description.strip()
                                                      for s in scenarios)))
    channel_label = {
        Channel.DEPARTMENT_INVITATION: _g("How you come to the plan, with a valid invitation code"),
        Channel.INDUSTRY_RECOMMENDATION: _g("How you come to the plan, with the recommender and its letter"),
    }.get(application.channel, _g("How you come to the plan"))
    items.append(Item("channel", channel_label, "channel" not in errors))
    items.append(Item("attachments", _g("The business licence uploaded"),
                      application.attachments.filter(kind=Attachment.Kind.BUSINESS_LICENCE,
                                                     purged_at__isnull=True).exists()))
    items.append(Item("review", _g("The declaration ticked"), bool(application.declaration_accepted)))
    # A problem without an item of its own (a stored value a newer rule refuses) is listed as it is, so the
    # list is all ticked exactly when submission would pass.
    for step, messages in errors.items():
        if all(item.ok for item in items if item.step == step):
            items.extend(Item(step, message, False) for message in messages)
    return items
