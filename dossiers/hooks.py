"""Hooks the apps above dossiers register from their AppConfig.ready(), so that dossiers never
imports them: payments voids a dossier's open payments when an officer requests a new amount."""

from collections.abc import Callable

_fee_requested: list[Callable] = []


def on_fee_requested(handler: Callable) -> Callable:
    """Register ``handler(*, dossier, actor)``; it runs inside the transition's transaction."""
    if handler not in _fee_requested:
        _fee_requested.append(handler)
    return handler


def fee_requested(*, dossier, actor) -> None:
    for handler in _fee_requested:
        handler(dossier=dossier, actor=actor)
