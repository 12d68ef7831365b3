from django.core.paginator import Paginator
from django.utils.functional import cached_property
from rest_framework.pagination import PageNumberPagination


class _CountedPaginator(Paginator):
    """A paginator told its count when the caller already has it (no second COUNT query)."""

    known_count: int | None = None

    @cached_property
    def count(self):
        return self.known_count if self.known_count is not None else super().count


class PagePagination(PageNumberPagination):
    """?page=N&page_size=M (at most 100): {"count", "next", "previous", "results"}.

    A view that already counted the rows (the officer queue's per-view counts) sets
    ``view.known_count``, which spares a COUNT over a large table."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100

    def paginate_queryset(self, queryset, request, view=None):
        self._known_count = getattr(view, "known_count", None)
        return super().paginate_queryset(queryset, request, view)

    def django_paginator_class(self, object_list, per_page):
        paginator = _CountedPaginator(object_list, per_page)
        paginator.known_count = self._known_count
        return paginator
