"""A second factor for staff: TOTP (an authenticator app) and one-time recovery codes, on
django-otp. Enrolled on the first staff sign-in; the middleware keeps every page closed until
the code is given (see services.py for who counts as staff)."""
