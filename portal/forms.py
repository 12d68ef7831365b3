from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from .models import User
from .validators import normalize_phone, validate_personal_id, validate_phone


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("Email or mobile number"),
        max_length=254,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )


class RegistrationForm(forms.Form):
    """Sign up as a citizen with an email address, a mobile number, or both."""

    full_name = forms.CharField(
        label=_("Full name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    email = forms.EmailField(label=_("Email"), required=False, widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    phone = forms.CharField(
        label=_("Mobile number"),
        required=False,
        max_length=15,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    personal_id = forms.CharField(
        label=_("Personal ID number (optional)"),
        required=False,
        max_length=12,
        help_text=_(
            "12 digits, as on the chip-based citizen ID card. It is confirmed when you first sign in "
            "with the national e-identity."
        ),
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_(
            "At least 10 characters, not only digits, not like your name or login, not a common "
            "password (such as matkhau123 or anhyeuem)."
        ),
    )
    password2 = forms.CharField(
        label=_("Password again"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(self, *args, notice=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.notice = notice
        if notice is not None:  # the current privacy notice must be accepted to register
            self.fields["accept_notice"] = forms.BooleanField(
                label=_("I have read and accept the privacy notice (version %(version)s).")
                % {"version": notice.version},
                error_messages={"required": _("Tick the box to accept the privacy notice.")},
            )

    # No "already registered" errors: sign-up must not tell anyone who has an account
    # (portal.services.citizen_register answers the same and tells the owner instead).
    def clean_email(self):
        return (self.cleaned_data.get("email") or "").strip().lower() or None

    def clean_phone(self):
        phone = self.cleaned_data.get("phone") or ""
        if not phone.strip():
            return None
        validate_phone(phone)
        return normalize_phone(phone)

    def clean_personal_id(self):
        personal_id = (self.cleaned_data.get("personal_id") or "").strip()
        if not personal_id:
            return None
        validate_personal_id(personal_id)
        return personal_id

    def clean(self):
        data = super().clean()
        if (
            not data.get("email")
            and not data.get("phone")
            and not self.has_error("email")
            and not self.has_error("phone")
        ):
            raise forms.ValidationError(_("Give an email address or a mobile number to sign in with."))
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        elif data.get("password1"):
            candidate = User(full_name=data.get("full_name", ""), email=data.get("email"), phone=data.get("phone"))
            try:
                password_validation.validate_password(data["password1"], candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


class ProfileForm(forms.Form):
    """Personal details a citizen keeps in the profile; new drafts are prefilled from them."""

    full_name = forms.CharField(
        label=_("Full name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    date_of_birth = forms.DateField(
        label=_("Date of birth"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}, format="%Y-%m-%d"),
    )
    address = forms.CharField(
        label=_("Address"),
        max_length=255,
        required=False,
        help_text=_("Your permanent or current address: it fills in your next dossier."),
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )

    def __init__(self, *args, name_locked=False, **kwargs):
        super().__init__(*args, **kwargs)
        if name_locked:
            field = self.fields["full_name"]
            field.disabled = True
            field.help_text = _("As confirmed by the national e-identity.")

    def clean_date_of_birth(self):
        from django.utils import timezone

        value = self.cleaned_data["date_of_birth"]
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("The date of birth cannot be in the future."))
        return value


class PhoneForm(forms.Form):
    phone = forms.CharField(
        label=_("Mobile number"),
        max_length=15,
        validators=[validate_phone],
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )

    def clean_phone(self):
        return normalize_phone(self.cleaned_data["phone"])


class PhoneCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from the SMS"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9]{6}"}),
    )
