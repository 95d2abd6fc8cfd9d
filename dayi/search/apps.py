from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "dayi.search"
    label = "search"
    verbose_name = "Instrument search"
