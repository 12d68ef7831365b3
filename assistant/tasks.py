"""The assistant's Zalo replies, in a worker: retried with back-off while Zalo cannot be reached."""

from celery import shared_task

from portal.channels import ChannelError


@shared_task(acks_late=True, autoretry_for=(ChannelError,), max_retries=8, retry_backoff=30, retry_backoff_max=3600)
def send_zalo_reply(message_id: int) -> str:
    from .zalo import zalo_reply_send  # the models: once the app registry is ready

    return zalo_reply_send(message_id=message_id)
