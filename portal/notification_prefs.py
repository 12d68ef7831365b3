"""What a person wants to hear about, on which channel: topics of events × channels.

The topics are registered by the apps whose events they group (dossiers registers the dossier
events from its AppConfig.ready()); an event no topic claims falls under "other". A person's
choices are `User.notification_preferences`: {"<topic>": ["inbox", "email", ...]}, with
"default" for topics they never set. Some channels of some topics cannot be turned off (a
supplement request or a refusal always reaches the in-app inbox: the legal clock runs on them).
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

INBOX, EMAIL, SMS, ZALO = "inbox", "email", "sms", "zalo"
CHANNELS = (INBOX, EMAIL, SMS, ZALO)
DEFAULT_CHANNELS = (INBOX, EMAIL)
DEFAULT_KEY = "default"


@dataclass(frozen=True)
class Topic:
    key: str
    label: str
    events: frozenset[str]
    always: frozenset[str] = frozenset()  # channels that cannot be turned off
    staff_only: bool = False


_TOPICS: dict[str, Topic] = {}
OTHER = Topic("other", _("Other messages"), frozenset())


def notification_topic_register(key, label, *, events, always=(), staff_only=False) -> None:
    """Group events under one choice on the profile page (called from an AppConfig.ready())."""
    _TOPICS[key] = Topic(key, label, frozenset(events), frozenset(always), staff_only)


def topics(*, staff: bool = True) -> list[Topic]:
    return [topic for topic in _TOPICS.values() if staff or not topic.staff_only] + [OTHER]


def topic_of(event: str) -> Topic:
    return next((topic for topic in _TOPICS.values() if event in topic.events), OTHER)


def chosen_channels(preferences: dict | None, topic: Topic) -> set[str]:
    """The channels a person chose for a topic, with the ones that cannot be turned off."""
    preferences = preferences or {}
    chosen = preferences.get(topic.key, preferences.get(DEFAULT_KEY, DEFAULT_CHANNELS))
    return {channel for channel in chosen if channel in CHANNELS} | topic.always


def wanted_channels(user, event: str) -> set[str]:
    return chosen_channels(user.notification_preferences, topic_of(event))


def default_preferences() -> dict:
    return {DEFAULT_KEY: list(DEFAULT_CHANNELS)}
