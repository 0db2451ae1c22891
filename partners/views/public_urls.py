"""URLs of the public site."""

from django.urls import path

from . import public

app_name = "public"
urlpatterns = [
    path("", public.home, name="home"),
]
