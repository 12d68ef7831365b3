from functools import partial

from django import forms
from django.utils.choices import CallableChoiceIterator
from django.utils.translation import gettext_lazy as _

from portal.collation import vietnamese

from .constants import Level, ServiceLevel
from .models import Agency, Field
from .selectors import level_counts


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
        # Every level stays valid (a bookmarked link still works), but the list offers only the
        # levels the catalogue has procedures at, with how many: no district option since 2025
        # unless district procedures are published. Counted when the list is drawn (it is cached).
        for name, choices in (("level", Level.choices), ("service_level", ServiceLevel.choices)):
            self.fields[name].widget.choices = CallableChoiceIterator(partial(self._options, name, choices))

    def _options(self, name, choices):
        counts = level_counts()[name]
        selected = self.data.get(name, "")
        yield self.fields[name].choices[0]  # "All ..."
        for value, label in choices:
            if counts.get(value) or value == selected:
                yield value, f"{label} ({counts.get(value, 0)})"

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
