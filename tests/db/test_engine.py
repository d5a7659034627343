from sqlalchemy import Engine


def test_engine_is_configured_for_its_backend(engine: Engine) -> None:
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar_one() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar_one() >= 1000
        else:
            assert (engine.dialect.name, engine.dialect.driver) == ("postgresql", "psycopg")
