"""Sending one message through apprise: the one place that talks to a provider.

apprise answers success or failure, not why; so a failure is taken as transient (the provider
or the network may be down: the activity raises and Temporal retries with backoff) unless
apprise cannot even use the URL, which no retry mends.
"""

from dataclasses import dataclass

import apprise


@dataclass
class DeliveryFailed(Exception):
    permanent: bool
    reason: str

    def __str__(self) -> str:
        return self.reason


def send(target_url: str, title: str, body: str) -> None:
    """Deliver `title` and `body` to `target_url`, or raise `DeliveryFailed`."""
    notifier = apprise.Apprise()
    if not notifier.add(target_url):
        raise DeliveryFailed(permanent=True, reason="apprise cannot use this channel's URL")
    if not notifier.notify(title=title, body=body):
        raise DeliveryFailed(permanent=False, reason="the provider did not accept the message")
