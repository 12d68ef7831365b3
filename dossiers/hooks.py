"""Hooks the apps above dossiers register from their AppConfig.ready(), so that dossiers never
imports them: payments voids a dossier's open payments when an officer requests a new amount
and gives the officers' desk page the grounds a fee may be waived on; sync hears of every event
of a filed dossier."""

from collections.abc import Callable

_fee_requested: list[Callable] = []
_event_subscribers: list[Callable] = []
_desk_context: list[Callable] = []


def _add(handlers: list[Callable], handler: Callable) -> Callable:
    if handler not in handlers:
        handlers.append(handler)
    return handler


def on_fee_requested(handler: Callable) -> Callable:
    """Register ``handler(*, dossier, actor)``; it runs inside the transition's transaction."""
    return _add(_fee_requested, handler)


def fee_requested(*, dossier, actor) -> None:
    for handler in _fee_requested:
        handler(dossier=dossier, actor=actor)


def on_dossier_event(handler: Callable) -> Callable:
    """Register ``handler(*, event)``; the outbox's fan-out calls it after commit for each event of
    a dossier that has a code (drafts are nobody's business), possibly twice after a crash."""
    return _add(_event_subscribers, handler)


def dossier_event_published(*, event) -> None:
    for handler in _event_subscribers:
        handler(event=event)


def on_desk_context(provider: Callable) -> Callable:
    """Register ``provider(*, dossier, user) -> dict``: more context for the officers' desk page."""
    return _add(_desk_context, provider)


def desk_context(*, dossier, user) -> dict:
    context = {}
    for provider in _desk_context:
        context.update(provider(dossier=dossier, user=user))
    return context
