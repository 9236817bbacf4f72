from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecordsConfig(AppConfig):
    name = "backend.records"
    label = "records"
    verbose_name = _("志愿服务记录与证明")
