"""The network administration pages, mounted at /manage/network/."""

from django.urls import path

from dayi.network import views

app_name = "network"

urlpatterns = [
    path("", views.powers, name="powers"),
    path("requests/", views.request_join, name="request"),
    path("memberships/<int:membership_id>/accept/", views.accept, name="accept"),
    path("memberships/<int:membership_id>/refuse/", views.refuse, name="refuse"),
    path("institutions/<int:institution_id>/delegations/", views.delegate, name="delegate"),
    path(
        "institutions/<int:institution_id>/delegations/<int:delegation_id>/revoke/",
        views.revoke,
        name="revoke",
    ),
    path("platforms/", views.platforms, name="platforms"),
    path("platforms/<slug:code>/", views.platform_edit, name="platform_edit"),
    path(
        "platforms/<slug:code>/members/<int:institution_id>/remove/",
        views.remove_member,
        name="remove_member",
    ),
    path("institutions/new/", views.institution_new, name="institution_new"),
    path("institutions/<int:institution_id>/", views.institution_edit, name="institution_edit"),
]
