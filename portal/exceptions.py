"""Errors a use case raises that mean the same in every app, mapped once at the edges.

`Conflict` is a Django ValidationError, so a page that shows refused input shows it too; the
API's error handler (portal/api/errors.py) answers it with 409 instead of 400, so no API view
checks a state itself. Apps subclass it (dossiers.exceptions.DossierConflict).
"""

from django.core.exceptions import ValidationError


class Conflict(ValidationError):
    """Not possible in the current state of what is acted on; the message says why, for the person."""

    def __str__(self):
        return " ".join(self.messages)
