"""The people pages, mounted at /manage/people/."""

from django.urls import path

from dayi.accounts import pages

app_name = "people"

urlpatterns = [
    path("", pages.people, name="people"),
    path("institutions/<int:institution_id>/invite/", pages.invite, name="invite"),
    path("invitations/<int:invitation_id>/revoke/", pages.revoke_invitation, name="revoke_invitation"),
    path("users/<int:user_id>/deactivate/", pages.deactivate, name="deactivate"),
    path("users/<int:user_id>/reactivate/", pages.reactivate, name="reactivate"),
    path("users/<int:user_id>/roles/", pages.grant, name="grant"),
    path("platform-admins/", pages.grant_platform_admin, name="grant_platform_admin"),
    path("roles/<int:grant_id>/revoke/", pages.revoke_grant, name="revoke_grant"),
]
