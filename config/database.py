"""Database URLs as every process writes them, mapped to the driver that is installed."""

from sqlalchemy.engine import URL, make_url


def normalize_url(url: str) -> URL:
    """Route plain PostgreSQL URLs to psycopg 3, the only PostgreSQL driver installed."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed
