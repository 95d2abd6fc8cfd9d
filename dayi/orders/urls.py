"""The orders pages, mounted at the site root (see ``dayi.urls``)."""

from django.urls import path, re_path

from dayi.orders import views

ACTIONS = "|".join(views.ACTIONS)

app_name = "orders"

urlpatterns = [
    path("manage/instruments/<int:instrument_id>/prices/", views.prices, name="prices"),
    path("instruments/<int:instrument_id>/quote/", views.quote, name="quote"),
    path("instruments/<int:instrument_id>/samples/", views.submit_samples, name="submit"),
    path("orders/", views.my_orders, name="mine"),
    path("orders/<int:order_id>/", views.order_detail, name="detail"),
    # Only the transitions' own names: /orders/<id>/rate/ and others belong to other apps.
    re_path(rf"^orders/(?P<order_id>[0-9]+)/(?P<action>{ACTIONS})/$", views.order_action, name="act"),
    path("manage/orders/", views.manage_orders, name="manage"),
    path("accounts/", views.my_accounts, name="accounts"),
    path("accounts/<int:account_id>/", views.account_detail, name="account"),
    path("finance/top-ups/", views.top_up_queue, name="top_ups"),
    path("finance/top-ups/<int:top_up_id>/", views.decide_top_up, name="decide_top_up"),
]
