"""The booking pages, mounted at the site root (see ``dayi.urls``)."""

from django.urls import path

from dayi.booking import views, views_rules

app_name = "booking"

urlpatterns = [
    path("instruments/<int:instrument_id>/calendar/", views.calendar, name="calendar"),
    path("instruments/<int:instrument_id>/calendar/events/", views.calendar_events, name="events"),
    path("instruments/<int:instrument_id>/calendar/book/", views.book, name="book"),
    path("bookings/", views.my_bookings, name="mine"),
    path("bookings/<int:booking_id>/<slug:action>/", views.booking_action, name="act"),
    path("bookings/feed/", views.feed, name="feed"),
    path("bookings/feed/<str:token>.ics", views.private_feed, name="private_feed"),
    path("manage/bookings/", views.manage_queue, name="queue"),
    path("manage/instruments/<int:instrument_id>/booking-rules/", views_rules.rules, name="rules"),
    path(
        "manage/instruments/<int:instrument_id>/booking-rules/preview/",
        views_rules.rules_preview,
        name="rules_preview",
    ),
    path("manage/booking-rules/", views_rules.default_rules_index, name="default_rules_index"),
    path(
        "manage/institutions/<int:institution_id>/booking-rules/",
        views_rules.default_rules,
        name="default_rules",
    ),
    path("manage/bookings/<int:booking_id>/shorten/", views.shorten_booking, name="shorten"),
    path("manage/bookings/<int:booking_id>/<slug:action>/", views.manage_action, name="manage_act"),
    path("manage/bookings/usage/<int:record_id>/correct/", views.correct_usage, name="correct_usage"),
    path("manage/bookings/usage/<int:record_id>/confirm/", views.confirm_usage, name="confirm_usage"),
]
