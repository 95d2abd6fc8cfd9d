from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "dayi.demo"
    label = "demo"
    verbose_name = "Generated demo data"
