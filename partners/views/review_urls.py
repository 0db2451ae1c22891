"""URLs of the staff screens."""

from django.urls import path

from . import review

app_name = "review"
urlpatterns = [
    path("", review.dashboard, name="dashboard"),
]
