"""Query parameters checked by a django-filter FilterSet, then handed to a selector.

The selectors (catalogue_search, officer_queue, ...) do the filtering the HTML pages do; the
FilterSet only validates, so an unknown value is a 400 that names its parameter.
"""

from django_filters.utils import translate_validation


def validated_filters(request, filterset_class, queryset=None) -> dict:
    filterset = filterset_class(request.query_params, queryset=queryset)
    if not filterset.is_valid():
        raise translate_validation(filterset.errors)
    return filterset.form.cleaned_data
