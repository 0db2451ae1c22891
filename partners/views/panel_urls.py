"""URLs of the expert panel's pages."""

from django.urls import path

from . import panel

app_name = "panel"
urlpatterns = [
    path("", panel.home, name="home"),
    path("<int:pk>/", panel.assignment_detail, name="assignment"),
    path("<int:pk>/declare/", panel.declare, name="declare"),
    path("<int:pk>/scores/", panel.scores, name="scores"),
    path("<int:pk>/application.pdf", panel.application_document, name="application_pdf"),
]
