"""Telling people when they must act: message kinds, their words, quiet hours, channels, sending.

Pure where it can be (kinds, messages, quiet hours, channel addresses), so the notifier workflow
may import what it needs; the sending (apprise) and the tables live apart (notify/send.py,
db/notifications.py, activities/notify.py). docs/NOTIFICATIONS.md tells the whole story.
"""
