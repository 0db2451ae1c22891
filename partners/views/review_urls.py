"""URLs of the staff screens."""

from django.urls import path

from . import (
    members,
    review,
    review_calls,
    review_detail,
    review_evidence,
    review_letters,
    review_organization,
    review_queue,
    review_verification,
)

app_name = "review"
urlpatterns = [
    path("", review.dashboard, name="dashboard"),
    path("queue/", review_queue.queue, name="queue"),
    path("queue/assign/", review_queue.bulk_assign, name="bulk_assign"),
    path("queue/export.xlsx", review_queue.export, name="export"),
    path("applications/<int:pk>/", review_detail.detail, name="detail"),
    path("applications/<int:pk>/act/", review_detail.act, name="act"),
    path("applications/<int:pk>/note/", review_detail.add_note, name="note"),
    path("applications/<int:pk>/assign/", review_detail.assign, name="assign"),
    path("applications/<int:pk>/attachments/<int:attachment_id>/", review_detail.attachment, name="attachment"),
    path("objections/<int:pk>/resolve/", review_detail.resolve_objection, name="resolve_objection"),
    path("verification/", review_verification.queue, name="verification_queue"),
    path("verification/assign/", review_verification.assign, name="verification_assign"),
    path("verification/<int:pk>/", review_verification.detail, name="verification"),
    path("verification/<int:pk>/act/<slug:action>/", review_verification.act, name="verification_act"),
    path("verification/<int:pk>/documents/<int:document_id>/", review_verification.document,
         name="verification_document"),
    path("organisations/<int:pk>/", review_organization.organization_detail, name="organization"),
    path("objections/evidence/<int:pk>/", review_evidence.evidence, name="objection_evidence"),
    path("members/", members.member_list, name="members"),
    path("members/<int:pk>/", members.member_detail, name="member"),
    path("members/<int:pk>/change/", members.member_change, name="member_change"),
    path("calls/", review_calls.call_list, name="calls"),
    path("calls/<int:pk>/", review_calls.call_detail, name="call"),
    path("calls/<int:pk>/assign-panel/", review_calls.assign_panel, name="call_assign_panel"),
    path("panel/<int:pk>/remove/", review_calls.remove_assignment, name="panel_remove"),
    path("letters/", review_letters.letter_list, name="letters"),
    path("letters/<slug:outcome>/<slug:language>/", review_letters.letter_edit, name="letter_edit"),
]
