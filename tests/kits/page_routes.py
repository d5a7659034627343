"""The app's routes as the page tests walk them: pages are the routes kept out of the OpenAPI
schema (the JSON API's matrix reads the schema), less the framework's own."""

from pathlib import Path

from api.main import create_app
from config.settings import Settings

FRAMEWORK_PAGES = {"/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"}


def routes_of(router) -> list[tuple[str, set[str], bool]]:
    """(path, methods, in schema) of every route, through routers included in routers."""
    found = []
    for route in router.routes:
        contexts = getattr(route, "effective_route_contexts", None)
        if contexts is not None:  # an included router (FastAPI >= 0.165)
            for context in contexts() if callable(contexts) else contexts:
                found.append((context.path, set(context.methods or ()), context.include_in_schema))
        elif hasattr(route, "methods"):
            found.append((route.path, set(route.methods or ()), route.include_in_schema))
    return found


def hidden_routes(data_dir: Path) -> list[tuple[str, set[str]]]:
    """(path, methods) of every route outside the schema: the pages and the page session."""
    return [
        (path, methods)
        for path, methods, listed in routes_of(create_app(Settings(data_dir=data_dir)))
        if not listed and path not in FRAMEWORK_PAGES
    ]


def page_routes(data_dir: Path) -> set[str]:
    """The GET page routes."""
    return {path for path, methods in hidden_routes(data_dir) if "GET" in methods}
