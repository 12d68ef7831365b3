import unicodedata
from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from portal.validators import normalize_phone, validate_personal_id, validate_phone
from procedures.constants import FormFieldType as T

from .constants import Channel, Delivery


def _label(spec: dict) -> str:
    if (get_language() or "vi").startswith("en") and spec.get("label_en"):
        return spec["label_en"]
    return spec["label"]


# A date field meaning a birth date, by its name or its Vietnamese label.
_BIRTH_NAMES = ("dob", "birth", "ngay_sinh")
_BIRTH_LABELS = ("ngày sinh", "date of birth")


def _is_birth_date(spec: dict) -> bool:
    name, label = spec["name"].lower(), unicodedata.normalize("NFC", spec.get("label", "")).lower()
    return any(part in name for part in _BIRTH_NAMES) or any(part in label for part in _BIRTH_LABELS)


def _not_in_future(value):
    if value and value > timezone.localdate():
        raise ValidationError(_("A date of birth cannot be in the future."), code="future_birth_date")


def mark_for_people(form: forms.Form) -> forms.Form:
    """Required fields say so to screen readers (aria-required), and text fields carry no HTML
    maxlength: a browser silently cuts a long paste to it, the server's message says what is wrong."""
    for field in form.fields.values():
        if field.required:
            field.widget.attrs["aria-required"] = "true"
        field.widget.attrs.pop("maxlength", None)
    return form


def _form_field(spec: dict) -> forms.Field:
    """One Django form field from one entry of a procedure's form schema."""
    common = {"label": _label(spec), "required": spec.get("required", False), "help_text": spec.get("help", "")}
    kind = spec["type"]
    if kind in (T.TEXT, T.TEXTAREA):
        field = forms.CharField(
            max_length=spec.get("max_length", 255 if kind == T.TEXT else 4000),
            widget=forms.Textarea(attrs={"rows": 4}) if kind == T.TEXTAREA else None,
            **common,
        )
        if spec.get("pattern"):
            field.validators.append(RegexValidator(spec["pattern"], _("This value is not in the expected format.")))
        return field
    if kind == T.INTEGER:
        return forms.IntegerField(min_value=spec.get("min"), max_value=spec.get("max"), **common)
    if kind == T.DATE:
        field = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), **common)
        if _is_birth_date(spec):
            field.validators.append(_not_in_future)
            field.widget.attrs["max"] = timezone.localdate().isoformat()
        return field
    if kind == T.CHOICE:
        return forms.ChoiceField(choices=[("", "—"), *[(c, c) for c in spec["choices"]]], **common)
    if kind == T.EMAIL:
        return forms.EmailField(**common)
    if kind == T.PHONE:
        return forms.CharField(max_length=15, validators=[validate_phone], **common)
    return forms.BooleanField(**common)


def application_form_class(schema: list[dict]) -> type[forms.Form]:
    """A form class for a procedure version's application form (its schema was validated on publish)."""
    return type("ApplicationForm", (forms.Form,), {spec["name"]: _form_field(spec) for spec in schema})


def declared_answers(schema: list[dict], form_data: dict) -> list[dict]:
    """What the applicant declared, read-only, in the schema's order and with its labels: dates
    as dates, yes/no as booleans, anything unanswered as None. `vi_only` marks a Vietnamese label
    shown in the English UI (no label_en), so the page can give it lang="vi"."""
    english = (get_language() or "vi").startswith("en")
    answers = []
    for spec in schema:
        value = form_data.get(spec["name"])
        if value in ("", None, []):
            value = None
        elif spec["type"] == T.DATE:
            try:
                value = date.fromisoformat(str(value))
            except ValueError:
                pass  # shown as stored: an old answer in another shape is still the applicant's
        answers.append({"label": _label(spec), "value": value, "vi_only": english and not spec.get("label_en")})
    return answers


def form_data_to_json(cleaned: dict) -> dict:
    """Cleaned values as JSON: dates as ISO strings."""
    return {key: value.isoformat() if hasattr(value, "isoformat") else value for key, value in cleaned.items()}


class ApplicantForm(forms.Form):
    """Who applies: prefilled from the profile, snapshotted at submission."""

    applicant_name = forms.CharField(label=_("Full name"), max_length=150)
    applicant_id_number = forms.CharField(
        label=_("Personal ID number"), max_length=12, validators=[validate_personal_id]
    )
    applicant_phone = forms.CharField(label=_("Mobile number"), max_length=15, validators=[validate_phone])
    applicant_email = forms.EmailField(label=_("Email"), required=False)
    applicant_address = forms.CharField(label=_("Address"), max_length=255)

    def clean_applicant_phone(self):
        return normalize_phone(self.cleaned_data["applicant_phone"])


class CounterApplicantForm(ApplicantForm):
    """A walk-in applicant, typed in by the desk: a phone number is welcome, not required."""

    applicant_phone = forms.CharField(
        label=_("Mobile number"), max_length=15, validators=[validate_phone], required=False
    )

    def clean_applicant_phone(self):
        phone = self.cleaned_data["applicant_phone"]
        return normalize_phone(phone) if phone else ""


def applicant_form_class(dossier) -> type[ApplicantForm]:
    """The applicant part of the form: the counter's for a dossier the desk files for a walk-in."""
    return CounterApplicantForm if dossier.channel == Channel.COUNTER else ApplicantForm


class FindApplicantForm(forms.Form):
    """The desk looks a walk-in up by the ID number the e-identity verified for their account."""

    id_number = forms.CharField(
        label=_("Personal ID number of an existing account"), max_length=12, validators=[validate_personal_id]
    )


class DeliveryForm(forms.Form):
    delivery = forms.ChoiceField(
        label=_("How do you want to receive the result?"), choices=Delivery.choices, widget=forms.RadioSelect
    )
    delivery_address = forms.CharField(label=_("Postal address for the result"), max_length=255, required=False)

    def clean(self):
        data = super().clean()
        if data.get("delivery") == Delivery.POST and not (data.get("delivery_address") or "").strip():
            self.add_error("delivery_address", _("Give the address the result should be posted to."))
        return data


class SupplementResponseForm(forms.Form):
    answer = forms.CharField(
        label=_("Note to the officer (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class WithdrawalForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you want to withdraw this dossier?"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class LookupForm(forms.Form):
    code = forms.CharField(
        label=_("Dossier code"),
        max_length=48,
        widget=forms.TextInput(attrs={"placeholder": "000.20.00.H99-261122-0001"}),
    )
