"""The local mail server and sandbox SMS gateway `make run` starts, and what they received.

Both keep every message as a file under the data dir (`mailbox/*.eml`, `sms/*.json`): files
need no schema, survive restarts, and can be opened by hand. The `/dev/messages` page
(web/dev_pages.py, dev mode only) reads them back (store.py).
"""
