"""The server's refusals: an HTTP status, a stable ``code`` string and an
English message naming ids only. They travel as JSON
``{"error": {"code", "message"}}``; they are not FieldvaultErrors (the
server does not carry the vault's error stack); a client turns the codes it
shows a person into its own coded errors (sync/client)."""

from __future__ import annotations


class ServerRefused(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message

    def to_json(self) -> dict[str, dict[str, str]]:
        return {"error": {"code": self.code, "message": self.message}}


def bad_request(code: str, message: str) -> ServerRefused:
    return ServerRefused(400, code, message)


def unauthorised(
    message: str = "Log in first (POST /v1/auth/challenge, then /v1/auth/token).",
) -> ServerRefused:
    return ServerRefused(401, "auth-required", message)


def forbidden(code: str, message: str) -> ServerRefused:
    return ServerRefused(403, code, message)


def not_found(code: str, message: str) -> ServerRefused:
    return ServerRefused(404, code, message)


def conflict(code: str, message: str) -> ServerRefused:
    return ServerRefused(409, code, message)
