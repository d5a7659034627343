"""How the benchmarks and the browser tests start Debian's chromium: never a downloaded browser.

Without the background-networking flags chromium keeps trying to reach Google's hosts,
which this machine's closed network refuses; an empty profile each launch keeps runs apart.
"""

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
