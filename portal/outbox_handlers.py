"""What each outbox topic does; the apps' code is imported when a message is handled."""


def _dossier_event(event_id: int) -> None:
    from dossiers.fanout import on_event

    on_event(event_id)


def _dossier_deadline(dossier_id: int, threshold: str) -> None:
    from dossiers.fanout import on_deadline

    on_deadline(dossier_id, threshold)


def _payment_paid(payment_id: int) -> None:
    from payments.receipts import receipt_for

    receipt_for(payment_id)


HANDLERS = {"dossier.event": _dossier_event, "dossier.deadline": _dossier_deadline, "payment.paid": _payment_paid}
