"""The web pages, served by the API process: server-rendered, no build step, nothing fetched at run time."""
