"""What each outbox topic does. The base names no app above it: each app registers the handlers
of its topics from its AppConfig.ready() (dossiers: "dossier.event", "dossier.deadline";
payments: "payment.paid"). This module imports no model, so apps.py may import it at load time."""

from collections.abc import Callable

_handlers: dict[str, Callable[..., object]] = {}


def outbox_handler_register(topic: str, handler: Callable[..., object]) -> None:
    """Make ``handler(**payload)`` do the work of the topic's rows (idempotent: rows may be handled twice)."""
    known = _handlers.get(topic)
    if known is not None and known is not handler:
        raise ValueError(f"outbox topic {topic!r} already has a handler: {known!r}")
    _handlers[topic] = handler


def outbox_handler_for(topic: str) -> Callable[..., object]:
    """The handler registered for a topic; LookupError when no installed app handles it."""
    try:
        return _handlers[topic]
    except KeyError:
        raise LookupError(f"no outbox handler for topic {topic!r}: is its app installed?") from None


def outbox_topics() -> frozenset[str]:
    return frozenset(_handlers)
