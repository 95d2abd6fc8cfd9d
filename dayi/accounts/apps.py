from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "dayi.accounts"
    label = "accounts"
    verbose_name = "Users, roles and tokens"
