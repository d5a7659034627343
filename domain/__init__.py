"""Pure domain code: no I/O, no clock, no randomness. Safe to import from workflows."""
