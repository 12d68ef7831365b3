# The production image: gunicorn serving the portal; the same image runs the Celery workers and beat.
# Two stages: wheels are built with the compilers of the first, the second carries only the virtual
# environment and the code, and runs as an unprivileged user (uid 10001) that owns nothing but var/.

FROM python:3.11-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN apt-get update \
    && apt-get install -y --no-install-recommends build-essential \
    && rm -rf /var/lib/apt/lists/*
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
COPY requirements.txt /tmp/requirements.txt
RUN pip install -r /tmp/requirements.txt
WORKDIR /app
COPY . .
# Static files are collected here, outside var/ (a volume at run time), so the container never writes
# them; the compiled messages (.mo) are in the repository.
ENV STATIC_ROOT=/app/staticfiles
RUN DJANGO_SECRET_KEY=build DJANGO_ALLOWED_HOSTS=localhost DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    python manage.py collectstatic --noinput \
    && rm -rf tests bench .ci var

FROM python:3.11-slim-bookworm AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PATH=/opt/venv/bin:$PATH \
    DJANGO_SETTINGS_MODULE=portal.settings.production STATIC_ROOT=/app/staticfiles
# WeasyPrint needs Pango and HarfBuzz; DejaVu fonts cover Vietnamese; curl for compose healthchecks.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
       fonts-dejavu-core curl \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 portal \
    && useradd --system --uid 10001 --gid portal --home-dir /app --no-create-home portal
COPY --from=build /opt/venv /opt/venv
COPY --from=build /app /app
WORKDIR /app
# var/ (uploads when no object storage is set, the beat pid) is the only place the user may write;
# Kubernetes mounts it and /tmp as volumes under a read-only root filesystem.
RUN mkdir -p /app/var && chown portal:portal /app/var
USER 10001:10001
EXPOSE 8000
CMD ["gunicorn", "portal.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-", "--worker-tmp-dir", "/tmp"]
