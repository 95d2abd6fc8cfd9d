from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "dayi.orders"
    label = "orders"
    verbose_name = "订单与收费 (orders and charges)"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Booking sits below orders and imports nothing of it: orders follow bookings through its hooks.
        from dayi.booking import api as booking_api
        from dayi.booking import events as booking_events
        from dayi.orders.queries import booking_order
        from dayi.orders.services.orders import check_booking_priced
        from dayi.orders.subscriptions import follow_booking_change

        booking_events.vet_with(check_booking_priced)
        booking_events.subscribe(follow_booking_change)
        booking_api.add_answer_fields(booking_order)
