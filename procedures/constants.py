from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    """Administrative level of an agency or a procedure (districts were removed in 2025)."""

    CENTRAL = "central", _("Central")
    PROVINCE = "province", _("Province")
    DISTRICT = "district", _("District (before 2025)")
    COMMUNE = "commune", _("Commune")


class ServiceLevel(models.TextChoices):
    FULL = "full", _("Full-process online")
    PARTIAL = "partial", _("Partial online")


class ResultType(models.TextChoices):
    ELECTRONIC = "electronic", _("Electronic")
    PAPER = "paper", _("Paper")


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


class FeeUnit(models.TextChoices):
    DOSSIER = "dossier", _("per dossier")
    PAGE = "page", _("per page")
    COPY = "copy", _("per copy")


class FormFieldType(models.TextChoices):
    TEXT = "text", _("Text")
    TEXTAREA = "textarea", _("Long text")
    INTEGER = "integer", _("Whole number")
    DATE = "date", _("Date")
    CHOICE = "choice", _("Choice")
    EMAIL = "email", _("Email")
    PHONE = "phone", _("Phone number")
    BOOLEAN = "boolean", _("Yes / no")


class CalendarDayKind(models.TextChoices):
    DAY_OFF = "day_off", _("Day off")
    WORKING_DAY = "working_day", _("Working day")
