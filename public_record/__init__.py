"""The council's public record: complaint counts, quarterly lists, scorecards, decisions, alerts.

Everything here except `store.py` is pure: functions over facts read from the read models,
so the figures can be recomputed and tested without a database. `store.py` is the thin layer
that reads those facts and keeps published lists.
"""
