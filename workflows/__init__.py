"""Temporal workflows: the system of record for every escrow. No I/O, no wall clock."""
