"""URLs of the applicant portal."""

from django.urls import path

from . import (
    portal,
    portal_documents,
    portal_files,
    portal_letters,
    portal_org,
    portal_verification,
    portal_wizard,
)

app_name = "portal"
urlpatterns = [
    path("", portal.home, name="home"),
    path("organisation/claim/", portal_org.claim, name="claim"),
    path("organisations/<int:pk>/", portal_org.organization_detail, name="organization"),
    path("organisations/<int:pk>/edit/", portal_org.organization_edit, name="organization_edit"),
    path("organisations/<int:pk>/people/add/", portal_org.colleague_add, name="colleague_add"),
    path("organisations/<int:pk>/people/<int:user_id>/remove/", portal_org.colleague_remove,
         name="colleague_remove"),
    path("organisations/<int:pk>/hand-over/", portal_org.hand_over, name="hand_over"),
    path("organisations/<int:pk>/invitations/<int:invitation_id>/revoke/", portal_org.invitation_revoke,
         name="invitation_revoke"),
    path("organisation/dispute/", portal_verification.dispute, name="dispute"),
    path("verification/<int:pk>/", portal_verification.case_detail, name="verification"),
    path("verification/<int:pk>/letter.pdf", portal_verification.letter, name="verification_letter"),
    path("verification/<int:pk>/documents/", portal_verification.document_add, name="verification_document_add"),
    path("verification/<int:pk>/documents/<int:document_id>/", portal_verification.document_download,
         name="verification_document"),
    path("verification/<int:pk>/documents/<int:document_id>/delete/", portal_verification.document_delete,
         name="verification_document_delete"),
    path("verification/<int:pk>/action/<slug:action>/", portal_verification.case_action,
         name="verification_action"),
    path("invitations/", portal_org.invitations, name="invitations"),
    path("invitations/<int:pk>/<slug:decision>/", portal_org.invitation_answer, name="invitation_answer"),
    path("join-requests/<int:pk>/<slug:decision>/", portal_org.join_request_decide, name="join_request_decide"),
    path("applications/new/", portal.application_new, name="application_new"),
    path("applications/<int:pk>/", portal.application_detail, name="application"),
    path("applications/<int:pk>/action/<slug:action>/", portal.application_action, name="application_action"),
    path("applications/<int:pk>/letters/<int:decision_id>/", portal_letters.letter, name="letter"),
    path("applications/<int:pk>/letters/<int:decision_id>/pdf/", portal_letters.letter_download,
         name="letter_pdf"),
    path("applications/<int:pk>/receipt.pdf", portal_documents.receipt, name="receipt_pdf"),
    path("applications/<int:pk>/application.pdf", portal_documents.application_document, name="application_pdf"),
    path("applications/<int:pk>/step/<slug:step>/", portal_wizard.step, name="step"),
    path("applications/<int:pk>/attachments/<int:attachment_id>/delete/", portal_files.delete,
         name="attachment_delete"),
    path("attachments/<int:pk>/download/", portal_files.download, name="attachment_download"),
]
