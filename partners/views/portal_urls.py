"""URLs of the applicant portal."""

from django.urls import path

from . import portal

app_name = "portal"
urlpatterns = [
    path("", portal.home, name="home"),
]
