from django import forms
from django.utils.translation import gettext_lazy as _

from portal.collation import vietnamese

from .constants import Level, ServiceLevel
from .models import Agency, Field


class CatalogueFilterForm(forms.Form):
    """The search box and filters of the public catalogue (GET)."""

    q = forms.CharField(label=_("Search procedures"), required=False, max_length=1000)
    agency = forms.ModelChoiceField(
        label=_("Agency"),
        queryset=Agency.objects.filter(is_active=True).order_by(vietnamese("name"), "pk"),
        required=False,
        to_field_name="code",
        empty_label=_("All agencies"),
    )
    field = forms.ModelChoiceField(
        label=_("Field"),
        queryset=Field.objects.order_by(vietnamese("name"), "pk"),
        required=False,
        to_field_name="code",
        empty_label=_("All fields"),
    )
    level = forms.ChoiceField(label=_("Level"), choices=[("", _("All levels")), *Level.choices], required=False)
    service_level = forms.ChoiceField(
        label=_("Online service"), choices=[("", _("All")), *ServiceLevel.choices], required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].label_from_instance = lambda agency: agency.display_name
        self.fields["field"].label_from_instance = lambda field: field.display_name

    def search_arguments(self) -> dict:
        """Arguments for selectors.catalogue_search; a filter with an unknown value is ignored."""
        self.is_valid()  # cleaned_data then holds the fields that were valid
        data = self.cleaned_data
        return {
            "query": self.data.get("q", "") if "q" not in data else data["q"],
            "agency": data.get("agency"),
            "field": data.get("field"),
            "level": data.get("level", ""),
            "service_level": data.get("service_level", ""),
        }
