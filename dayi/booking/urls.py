"""The booking pages, mounted at the site root (see ``dayi.urls``)."""

from django.urls import path

from dayi.booking import views, views_desk, views_rules

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

# The manager's desk (issue 12): training and qualifications, the manager's day, problem reports.
urlpatterns += [
    path("instruments/<int:instrument_id>/training/", views_desk.ask_training, name="ask_training"),
    path("instruments/<int:instrument_id>/report-problem/", views_desk.report_problem, name="report_problem"),
    path("training/", views_desk.my_training, name="my_training"),
    path("manage/training/", views_desk.manage_training, name="manage_training"),
    path(
        "manage/training/<int:request_id>/schedule/", views_desk.schedule_training, name="schedule_training"
    ),
    path("manage/training/<int:request_id>/result/", views_desk.record_result, name="training_result"),
    path(
        "manage/qualifications/<int:qualification_id>/revoke/",
        views_desk.revoke_qualification,
        name="revoke_qualification",
    ),
    path("manage/day/", views_desk.day, name="day"),
    path("manage/day/book/", views_desk.book_for_user, name="book_for_user"),
    path("manage/day/walk-up/", views_desk.walk_up, name="walk_up"),
    path("manage/day/<int:booking_id>/move/", views_desk.move_booking, name="move"),
    path("manage/day/<int:booking_id>/cancel/", views_desk.cancel_booking, name="day_cancel"),
    path("manage/problems/", views_desk.manage_problems, name="problems"),
    path("manage/problems/<int:report_id>/handle/", views_desk.handle_problem, name="handle_problem"),
    path("manage/problems/<int:report_id>/resolve/", views_desk.resolve_problem, name="resolve_problem"),
]
