"""The HTTP API: the only door for people and programs. It owns no process state."""
