"""Outbound webhooks: events sent to the HTTPS endpoints integrators register (docs/WEBHOOKS.md).

Not to be confused with api/routes/webhooks.py, the bank's INBOUND deposit webhook.
"""
