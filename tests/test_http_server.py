"""Our servers keep idle connections open longer than an httpx client would reuse them."""

import httpx
from fastapi import FastAPI

from config.http_server import server_config


def test_a_client_always_lets_an_idle_connection_go_before_the_server_does():
    assert server_config(FastAPI()).timeout_keep_alive > httpx.Limits().keepalive_expiry
