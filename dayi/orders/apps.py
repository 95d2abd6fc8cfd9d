from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "dayi.orders"
    label = "orders"
    verbose_name = "订单与收费 (orders and charges)"
    default_auto_field = "django.db.models.BigAutoField"
