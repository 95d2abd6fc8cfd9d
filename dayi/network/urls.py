"""The memberships-and-delegations pages, mounted at /manage/network/."""

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
]
