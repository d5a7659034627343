"""Process settings shared by the worker, the API, the sandbox bank and the CLI."""
