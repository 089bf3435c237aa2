"""Security headers on every response, the Host/Origin checks, and the upload size limit.

The Content-Security-Policy lets a page load only from this server. Inline ``style``
attributes are allowed because the SVG charts (drawn by Matplotlib) carry them; no script,
font, frame or form target from elsewhere is. The referrer policy is ``same-origin``: the
app's own form posts then carry their ``Origin``, which :mod:`lanterne.web.origin` checks;
nothing is ever sent to another site.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from lanterne.i18n import Msg
from lanterne.web.origin import RequestGuard

CSP = (
    "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "script-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)

HEADERS: list[tuple[bytes, bytes]] = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]


class UploadTooLarge(HTTPException):
    """The request body passed the server's upload limit."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, detail="too large")
        self.limit = limit


#: Builds the page that refuses a request: ``(scope, status, message) -> response``.
Refuser = Callable[[Scope, int, Msg], Response]


def _plain_refusal(scope: Scope, status: int, message: Msg) -> Response:
    text = f"{message.render('fr')}\n\n{message.render('en')}\n"
    return Response(text, status_code=status, media_type="text/plain; charset=utf-8")


class SecurityMiddleware:
    """Adds :data:`HEADERS` to every response, refuses foreign requests, caps bodies.

    ``guard`` (:class:`~lanterne.web.origin.RequestGuard`) refuses a ``Host`` that is not
    this server's and a cross-site ``POST``, with the page ``refuse`` builds, before the
    request reaches any page or its body is read. A declared ``Content-Length`` over the
    limit is refused before anything is read; a body without one is counted while it
    streams and refused as soon as it passes the limit.
    """

    def __init__(
        self,
        app: ASGIApp,
        max_bytes: int,
        guard: RequestGuard | None = None,
        refuse: Refuser = _plain_refusal,
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.guard = guard
        self.refuse = refuse

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *HEADERS]
            await send(message)

        raw: dict[bytes, bytes] = {}
        for name, value in reversed(scope.get("headers") or []):
            raw[name] = value  # the first value of a repeated header wins
        if self.guard is not None:
            headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in raw.items()}
            refused = self.guard.refusal(
                scope.get("method", "GET"), headers, scope.get("scheme", "http")
            )
            if refused is not None:
                response = self.refuse(scope, *refused)
                response.headers["connection"] = "close"
                await response(scope, receive, send_with_headers)
                return
        limit = self.max_bytes
        declared = raw.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:

            async def refuse() -> Message:
                raise UploadTooLarge(limit)

            await self.app(scope, refuse, send_with_headers)
            return
        seen = 0

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise UploadTooLarge(limit)
            return message

        await self.app(scope, counting_receive, send_with_headers)
