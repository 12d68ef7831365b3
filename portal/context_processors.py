from django.conf import settings


def features(request):
    """Switches templates need: is e-identity sign-in on, and under which name."""
    return {"OIDC_ENABLED": settings.OIDC_ENABLED, "OIDC_PROVIDER_NAME": settings.OIDC_PROVIDER_NAME}
