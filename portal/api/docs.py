"""The API's documentation pages under the portal's Content-Security-Policy."""

from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_replace
from django.utils.decorators import method_decorator
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerSplitView


class SwaggerView(SpectacularSwaggerSplitView):
    """Swagger UI whose init script is a file (?script), not an inline block."""


# ReDoc's bundle writes its CSS into <style> elements it creates (styled-components, no nonce
# hook in the standalone build) and renders in a blob: worker: only this page allows inline
# styles (a nonce in style-src would make browsers ignore 'unsafe-inline', so the page has none),
# never inline scripts.
@method_decorator(csp_replace({"style-src": [SELF, UNSAFE_INLINE], "worker-src": [SELF, "blob:"]}), name="dispatch")
class RedocView(SpectacularRedocView):
    pass
