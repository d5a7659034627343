"""A small client for parties: make a key, register, sign steps locally, send them.

The demo and the tests act through it exactly as an API client would: the
private key stays in this process and only signed envelopes cross the wire.
"""
