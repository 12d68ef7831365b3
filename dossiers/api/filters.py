import django_filters

from dossiers.constants import DossierStatus
from dossiers.models import Dossier
from dossiers.selectors import QUEUE_FILTERS


class MyDossiersFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=DossierStatus.choices)
    code = django_filters.CharFilter(max_length=48)

    class Meta:
        model = Dossier
        fields = []


class QueueFilter(django_filters.FilterSet):
    """The HTML queue's filters; selectors.officer_queue applies them."""

    view = django_filters.ChoiceFilter(choices=[(name, name) for name in QUEUE_FILTERS])
    status = django_filters.ChoiceFilter(choices=DossierStatus.choices)
    procedure = django_filters.CharFilter(max_length=32)
    field = django_filters.CharFilter(max_length=32)
    q = django_filters.CharFilter(max_length=100)

    class Meta:
        model = Dossier
        fields = []
