"""One way to reach Temporal for every process, local dev server or a remote cluster."""

from temporalio.client import Client

from config.settings import Settings


async def connect_temporal(settings: Settings, *, lazy: bool = False) -> Client:
    api_key = settings.temporal_api_key.get_secret_value() if settings.temporal_api_key else None
    return await Client.connect(
        settings.temporal_address,
        namespace=settings.temporal_namespace,
        api_key=api_key,
        tls=settings.temporal_tls or bool(api_key),
        lazy=lazy,
    )
