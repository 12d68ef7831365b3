from django import forms
from django.utils.translation import gettext_lazy as _


class CodeForm(forms.Form):
    """A code from the authenticator app (6 digits) or, at verification, a recovery code."""

    code = forms.CharField(
        label=_("Code"), max_length=32, strip=True,
        error_messages={"required": _("Enter the code.")},
        widget=forms.TextInput(attrs={
            "autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True,
            "spellcheck": "false", "autocapitalize": "off",
        }),
    )
