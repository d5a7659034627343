"""Why an upload is refused, with the HTTP status and code the API answers."""


class EvidenceRefused(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
