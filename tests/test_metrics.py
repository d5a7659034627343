"""The API's Prometheus endpoint: request latencies by route template, on the port the settings name."""

import httpx

from api.main import create_app
from api.metrics import serve_metrics
from cli.dev import free_port
from tests.conftest import Stack
from tests.kits.servers import serve

METRIC = "escrow_api_request_duration_seconds"


async def test_api_metrics_by_route_template(stack: Stack) -> None:
    port = free_port()
    settings = stack.settings.model_copy(update={"api_metrics_port": port})
    serve_metrics(settings)
    async with serve(create_app(settings)) as url, httpx.AsyncClient(base_url=url) as http:
        assert (await http.get("/health")).status_code == 200
        missing = await http.post("/escrows/ESC-2099-99999/stages/2/acceptance", json={})
        assert missing.status_code == 422
        assert (await http.get("/no/such/page")).status_code == 404
        refused = await http.post(
            "/parties", content=b'{"x": NaN}', headers={"Content-Type": "application/json"}
        )
        assert refused.status_code == 422  # by the JSON policy, before any route is chosen
        async with httpx.AsyncClient() as scraper:
            text = (await scraper.get(f"http://127.0.0.1:{port}/metrics")).text

    assert f"# TYPE {METRIC} histogram" in text
    health = f'{METRIC}_count{{method="GET",route="/health",status="200"}}'
    assert health in text
    step = "/escrows/{subject_id}/stages/{number}/acceptance"
    assert f'{METRIC}_count{{method="POST",route="{step}",status="422"}}' in text
    assert "ESC-2099-99999" not in text, "raw paths would make one series per escrow"
    assert 'route="unmatched",status="404"' in text
    assert f'{METRIC}_count{{method="POST",route="/parties",status="422"}}' in text


def test_a_taken_metrics_port_costs_the_metrics_not_the_process(stack: Stack, caplog) -> None:
    """Two workers (or APIs) on one machine with the default port: the second runs without metrics."""
    import socket

    from workflows.connection import metrics_runtime

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        settings = stack.settings.model_copy(update={"api_metrics_port": port, "worker_metrics_port": port})
        assert metrics_runtime(settings, port) is None
        serve_metrics(settings)  # logs instead of raising
    assert (
        sum("no Temporal SDK metrics" in r.message or "no API metrics" in r.message for r in caplog.records)
        == 2
    )
