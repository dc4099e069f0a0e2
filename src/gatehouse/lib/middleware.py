"""Request checks that no view should have to repeat."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest


class RefuseNullCharactersMiddleware:
    """A null character in a query string (a search box, a filter) can only be an attack or a
    fault, and PostgreSQL cannot compare text with one. Forms already refuse them in bodies."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        for key, values in request.GET.lists():
            if "\x00" in key or any("\x00" in value for value in values):
                return HttpResponseBadRequest("Null characters are not allowed in addresses.",
                                              content_type="text/plain; charset=utf-8")
        return self.get_response(request)
