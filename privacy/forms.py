from django import forms
from django.utils.translation import gettext_lazy as _

# Typed to confirm when the account has no password (signed up with the e-identity).
PHRASE = "XOA TAI KHOAN"


class AccountDeleteForm(forms.Form):
    """Confirm deleting the account: the password again, or the phrase for an e-identity account."""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if user.has_usable_password():
            self.fields["password"] = forms.CharField(
                label=_("Your password"),
                strip=False,
                widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
            )
        else:
            self.fields["phrase"] = forms.CharField(
                label=_("Type %(phrase)s to confirm") % {"phrase": PHRASE},
                max_length=40,
                widget=forms.TextInput(attrs={"autocomplete": "off"}),
            )

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("This is not your password."))
        return password

    def clean_phrase(self):
        phrase = " ".join(self.cleaned_data["phrase"].upper().split())
        if phrase != PHRASE:
            raise forms.ValidationError(_("Type the phrase exactly as shown."))
        return phrase
