from django.apps import AppConfig


class BookingConfig(AppConfig):
    name = "dayi.booking"
    label = "booking"
    verbose_name = "Booking instrument time"
