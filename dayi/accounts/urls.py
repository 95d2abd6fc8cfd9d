from django.urls import path

from dayi.accounts import pages, views

urlpatterns = [
    path("login/", views.sign_in, name="login"),
    path("logout/", views.sign_out, name="logout"),
    path("invitations/<str:token>/", pages.accept_invitation, name="accept_invitation"),
]
