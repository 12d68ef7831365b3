from django import forms
from django.utils.translation import gettext_lazy as _


class CodeForm(forms.Form):
    """A code from the authenticator app (6 digits) or, at verification, a recovery code."""

    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        strip=True,
        error_messages={"required": _("Enter the code.")},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autofocus": True,
                "spellcheck": "false",
                "autocapitalize": "off",
            }
        ),
    )


class VerifyForm(CodeForm):
    """The app's code, or (no phone at hand) a recovery code in its own box: it has letters, which
    a numeric keypad cannot type."""

    recovery_code = forms.CharField(
        label=_("Recovery code"),
        max_length=32,
        strip=True,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "off"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].required = False

    def clean(self):
        data = super().clean()
        if not data.get("code") and not data.get("recovery_code"):
            self.add_error("code", _("Enter the code."))
        return data

    @property
    def given(self) -> str:
        return self.cleaned_data.get("recovery_code") or self.cleaned_data.get("code") or ""
