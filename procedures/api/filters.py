import django_filters

from procedures.constants import Level, ServiceLevel
from procedures.models import Agency, Field, ProcedureVersion


class CatalogueFilter(django_filters.FilterSet):
    """Validates the catalogue's query parameters (selectors.catalogue_search does the search)."""

    q = django_filters.CharFilter(max_length=1000)
    agency = django_filters.ModelChoiceFilter(queryset=Agency.objects.filter(is_active=True), to_field_name="code")
    field = django_filters.ModelChoiceFilter(queryset=Field.objects.all(), to_field_name="code")
    level = django_filters.ChoiceFilter(choices=Level.choices)
    service_level = django_filters.ChoiceFilter(choices=ServiceLevel.choices)

    class Meta:
        model = ProcedureVersion
        fields = []
