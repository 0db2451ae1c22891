"""The demo's member services: the demo officer serves every member, with one contact, a follow-up and a request."""

from datetime import timedelta

from django.utils import timezone

from ..models import Membership


def serve_members(people, memberships=None):
    """Assign the demo officer to the members, log a visit with a follow-up, and let one member raise a request."""
    from ..services import member_requests, member_service

    officer = people.get("service_officer")
    if officer is None:
        return
    members = memberships if memberships is not None else Membership.objects.all()
    member_service.assign_officers(officer, members, city_officer=officer)
    # The demo applicant's own member first, so the portal shows its contact and request.
    applicant = people.get("applicant")
    first = (members.filter(organization__memberships_of_people__user=applicant).select_related("organization")
             .order_by("pk").first() if applicant is not None else None)
    first = first or members.select_related("organization").order_by("pk").first()
    if first is None:
        return
    today = timezone.localdate()
    member_service.log_contact(officer, first, kind="visit", contacted_on=today - timedelta(days=3),
                               topics="走访了解算力需求与数据集对接情况", participants="企业负责人、服务专员",
                               follow_ups=[("提供算力券申报指引", today + timedelta(days=7))])
    owner = first.organization.owner
    if owner is not None:
        member_requests.raise_request(owner, first, kind="data", title="希望对接医疗领域高质量数据集",
                                      description="用于医疗大模型的微调，需符合数据合规要求。")
