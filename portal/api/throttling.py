"""Requests per client: an API client's own limit (or the default), per user for the browser,
per address for anonymous callers; counted in the cache (Redis in production)."""

from rest_framework.throttling import SimpleRateThrottle

from portal.client import client_address


class ClientRateThrottle(SimpleRateThrottle):
    scope = "client"

    def __init__(self):  # the rate is chosen per request in allow_request
        pass

    def get_ident(self, request):
        # Not DRF's own: it trusts any X-Forwarded-For unless NUM_PROXIES is set, and the portal
        # decides the client address in one place for every limit.
        return client_address(request)

    def allow_request(self, request, view):
        token = getattr(request, "auth", None)
        client = getattr(token, "client", None)
        if client is not None:
            self.scope, ident = "client", f"c{client.pk}"
            self.rate = client.throttle_rate or self.THROTTLE_RATES["client"]
        elif request.user and request.user.is_authenticated:
            self.scope, ident = "user", f"u{request.user.pk}"
            self.rate = self.THROTTLE_RATES["user"]
        else:
            self.scope, ident = "anon", f"a{self.get_ident(request)}"
            self.rate = self.THROTTLE_RATES["anon"]
        self.key = self.cache_format % {"scope": self.scope, "ident": ident}
        self.num_requests, self.duration = self.parse_rate(self.rate)
        self.history = self.cache.get(self.key, [])
        self.now = self.timer()
        while self.history and self.history[-1] <= self.now - self.duration:
            self.history.pop()
        if len(self.history) >= self.num_requests:
            return self.throttle_failure()
        return self.throttle_success()
