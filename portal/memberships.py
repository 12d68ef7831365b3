"""A user's staff roles, as (agency id, role) pairs, read once per request.

Every permission rule, queue and menu asks `memberships(user)`; an API token scoped to some
agencies narrows the answer for its request with `memberships_narrow` (portal.api.authentication),
so the rules and the API's dossier scope see the same narrowing.
"""

# Kept on the user object, which lives as long as the request.
_CACHE = "_membership_cache"


def memberships(user) -> frozenset[tuple[int, str]]:
    """(agency id, role) pairs of a user, read once per request."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, _CACHE, None)
    if cached is None:
        cached = frozenset(user.memberships.values_list("agency_id", "role"))
        setattr(user, _CACHE, cached)
    return cached


def memberships_narrow(*, user, agencies) -> frozenset[tuple[int, str]]:
    """Keep only the roles held at these agencies for the rest of this request; return them."""
    narrowed = frozenset(m for m in memberships(user) if m[0] in agencies)
    setattr(user, _CACHE, narrowed)
    return narrowed
