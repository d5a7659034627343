"""One way to reach Temporal for every process: local dev server, a self-hosted cluster or Temporal Cloud.

TLS turns on with `temporal_tls`, with an API key (Temporal Cloud's API-key auth) or
with a client certificate (mTLS, Temporal Cloud's other auth or a private cluster).
"""

import logging

from temporalio.client import Client, TLSConfig
from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig

from config.settings import Settings


def tls_config(settings: Settings) -> TLSConfig | bool:
    cert, key, ca = (
        settings.temporal_tls_client_cert,
        settings.temporal_tls_client_key,
        settings.temporal_tls_server_ca,
    )
    if (cert is None) != (key is None):
        raise ValueError("ESCROW_TEMPORAL_TLS_CLIENT_CERT and _CLIENT_KEY go together")
    if cert is None and ca is None:
        return settings.temporal_tls or settings.temporal_api_key is not None
    return TLSConfig(
        client_cert=cert.read_bytes() if cert else None,
        client_private_key=key.read_bytes() if key else None,
        server_root_ca_cert=ca.read_bytes() if ca else None,
    )


def metrics_runtime(settings: Settings, port: int) -> Runtime | None:
    """A Temporal runtime exporting the SDK's metrics for Prometheus on `port` (None when 0).

    A port already taken (a second worker on the same machine with the default) costs the
    metrics, never the worker: it logs a warning and runs without them.
    """
    if not port:
        return None
    bind = f"{settings.metrics_host}:{port}"
    try:
        return Runtime(telemetry=TelemetryConfig(metrics=PrometheusConfig(bind_address=bind)))
    except ValueError as exc:
        logging.getLogger("metrics").warning("no Temporal SDK metrics on %s: %s", bind, exc)
        return None


async def connect_temporal(
    settings: Settings, *, lazy: bool = False, runtime: Runtime | None = None
) -> Client:
    api_key = settings.temporal_api_key.get_secret_value() if settings.temporal_api_key else None
    return await Client.connect(
        settings.temporal_address,
        namespace=settings.temporal_namespace,
        api_key=api_key,
        tls=tls_config(settings),
        lazy=lazy,
        runtime=runtime,
    )
