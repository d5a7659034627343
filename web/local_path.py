"""Where a page may send the browser back to: a path on our own origin, decided as the browser
would read it, not by looking at the string.

`/\\evil.example/x` starts with one slash, yet a browser reads the backslash as a slash and
goes to evil.example; `/<TAB>/evil.example` the same once it drops the tab. So the candidate is
first cleaned the way the WHATWG URL parser cleans it (tabs and newlines dropped anywhere,
controls and spaces trimmed at the ends, backslashes read as slashes), then resolved against
a stand-in origin; only a result on that origin whose path does not itself read as
`//host` is kept, and it is handed back re-serialised and percent-encoded, so what we send
is exactly what we checked.
"""

from urllib.parse import quote, urljoin, urlsplit, urlunsplit

ORIGIN = "http://origin.invalid"
DROPPED = str.maketrans("", "", "\t\n\r")
TRIMMED = "".join(chr(c) for c in range(0x21))
PATH_SAFE = "/%!$&'()*+,;=:@-._~"
QUERY_SAFE = PATH_SAFE + "?"


def local_path(candidate: str | None) -> str | None:
    """The path (with query and fragment) on our origin that `candidate` names, or None."""
    if not candidate:
        return None
    cleaned = candidate.translate(DROPPED).strip(TRIMMED).replace("\\", "/")
    if not cleaned.startswith("/"):
        return None
    resolved = urlsplit(urljoin(ORIGIN + "/", cleaned))
    if f"{resolved.scheme}://{resolved.netloc}" != ORIGIN or resolved.path.startswith("//"):
        return None
    return urlunsplit(
        (
            "",
            "",
            quote(resolved.path, PATH_SAFE),
            quote(resolved.query, QUERY_SAFE),
            quote(resolved.fragment, QUERY_SAFE),
        )
    )
