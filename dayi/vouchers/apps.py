from django.apps import AppConfig


class VouchersConfig(AppConfig):
    name = "dayi.vouchers"
    label = "vouchers"
    verbose_name = "科技创新券 (innovation vouchers)"
    default_auto_field = "django.db.models.BigAutoField"
