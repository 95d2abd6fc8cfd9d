from django.apps import AppConfig


class StatementsConfig(AppConfig):
    name = "dayi.statements"
    label = "statements"
