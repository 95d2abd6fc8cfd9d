"""The instrument managers' pages, mounted at /manage/."""

from django.urls import path

from dayi.directory import views

app_name = "manage"

urlpatterns = [
    path("", views.home, name="home"),
    path("instruments/", views.instrument_list, name="instruments"),
    path("instruments/new/", views.instrument_create, name="create"),
    path("instruments/import/", views.instrument_import, name="import"),
    path("instruments/<int:pk>/edit/", views.instrument_edit, name="edit"),
    path("instruments/<int:pk>/retire/", views.instrument_retire, name="retire"),
    path("experts/", views.expert_list, name="experts"),
    path("experts/new/", views.expert_create, name="expert_create"),
    path("experts/<int:expert_id>/edit/", views.expert_edit, name="expert_edit"),
    path("experts/<int:expert_id>/retire/", views.expert_retire, name="expert_retire"),
]
