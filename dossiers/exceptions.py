"""What a dossier use case raises when the dossier's state does not allow it."""

from portal.exceptions import Conflict


class DossierConflict(Conflict):
    """Not possible in the dossier's current state: a page shows the message, the API answers 409."""
