"""Reads that may go to a streaming replica (DATABASE_REPLICA_URL): the indicators, exports,
registers and reports, which read much and tolerate a few seconds' delay.

Everything else stays on the primary, and so does any read in a request after that request wrote
(a citizen must see what they just did). When the replica is down, or its replay lags past
DATABASE_REPLICA_MAX_LAG_SECONDS, reads fall back to the primary; /healthz says so.
"""

import functools
import logging
import threading
import time
from contextvars import ContextVar

from django.conf import settings
from django.core.signals import request_started
from django.db import DatabaseError, connections
from django.dispatch import receiver

REPLICA = "replica"
PRIMARY = "default"
logger = logging.getLogger(__name__)

_replica_scope: ContextVar[bool] = ContextVar("replica_scope", default=False)
_wrote: ContextVar[bool] = ContextVar("wrote_in_this_request", default=False)

# How often a process asks the replica how far behind it is (a query each time otherwise).
STATUS_SECONDS = 5.0
_status_lock = threading.Lock()
_status: dict = {"checked": 0.0, "usable": False, "state": "not configured", "lag": None}


def configured() -> bool:
    return REPLICA in settings.DATABASES


@receiver(request_started)
def _new_request(**kwargs):
    _wrote.set(False)


def _measure() -> tuple[bool, str, float | None]:
    try:
        with connections[REPLICA].cursor() as cursor:
            # Caught up (everything received is replayed) is no lag, however old the last commit.
            cursor.execute(
                "SELECT pg_is_in_recovery(), CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() "
                "THEN 0 ELSE EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()) END"
            )
            in_recovery, lag = cursor.fetchone()
    except DatabaseError as error:
        connections[REPLICA].close()
        return False, f"unavailable ({error.__class__.__name__}): reads on the primary", None
    lag = float(lag or 0)
    if not in_recovery:
        return False, "not a standby: reads on the primary", lag
    if lag > settings.DATABASE_REPLICA_MAX_LAG_SECONDS:
        return False, f"lagging {lag:.1f} s: reads on the primary", lag
    return True, "ok", lag


def replica_status(*, fresh: bool = False) -> dict:
    """{"usable", "state", "lag"}: measured at most every STATUS_SECONDS per process."""
    if not configured():
        return {"usable": False, "state": "not configured", "lag": None}
    now = time.monotonic()
    with _status_lock:
        if fresh or now - _status["checked"] > STATUS_SECONDS:
            usable, state, lag = _measure()
            _status.update(checked=now, usable=usable, state=state, lag=lag)
        return {key: _status[key] for key in ("usable", "state", "lag")}


def mark_unavailable(error: Exception) -> None:
    with _status_lock:
        _status.update(
            checked=time.monotonic(),
            usable=False,
            state=f"unavailable ({error.__class__.__name__}): reads on the primary",
            lag=None,
        )
    connections[REPLICA].close()


def read_alias() -> str:
    """Where a read goes now."""
    if _replica_scope.get() and not _wrote.get() and configured() and replica_status()["usable"]:
        return REPLICA
    return PRIMARY


def replica_reads(view):
    """For read-only views: their reads go to the replica when it is usable. If the replica fails
    in the middle, the view runs again on the primary (it wrote nothing)."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        token = _replica_scope.set(True)
        try:
            on_replica = read_alias() == REPLICA
            try:
                return view(*args, **kwargs)
            except DatabaseError as error:
                if not on_replica:
                    raise
                logger.warning("replica failed during a read (%s): again on the primary", error.__class__.__name__)
                mark_unavailable(error)
                return view(*args, **kwargs)
        finally:
            _replica_scope.reset(token)

    return wrapper


class ReplicaRouter:
    """DATABASE_ROUTERS when DATABASE_REPLICA_URL is set."""

    def db_for_read(self, model, **hints):
        return read_alias()

    def db_for_write(self, model, **hints):
        _wrote.set(True)
        return PRIMARY  # also for an object read from the replica

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the same data on both

    def allow_migrate(self, db, app_label, **hints):
        return db == PRIMARY  # a standby is read-only: it replays the primary's migrations
