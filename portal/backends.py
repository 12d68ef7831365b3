from django.contrib.auth.backends import ModelBackend
from django.db.models import Q

from .models import User
from .validators import normalize_phone


class EmailOrPhoneBackend(ModelBackend):
    """Authenticate with an email address or a Vietnamese mobile number."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        login = (username or kwargs.get("email") or "").strip()
        if not login or password is None:
            return None
        lookup = Q(email__iexact=login) if "@" in login else Q(phone=normalize_phone(login))
        user = User.objects.filter(lookup).first()
        if user is None:
            User().set_password(password)  # same work as a real check: no timing oracle
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
