"""Security headers: the policies the app's responses carry, set in one middleware (docs/security.md).

- Every response: `X-Content-Type-Options: nosniff`, `Referrer-Policy: no-referrer`, and unless the
  route chose its own, the app's Content-Security-Policy (scripts only from the app's own files,
  never inline) with `frame-ancestors 'none'` / `X-Frame-Options: DENY`.
- The html media frame (`HTML_FRAME`, a page of the web UI): a policy of its own. Logged html runs
  there with inline scripts, sandboxed into an opaque origin, and only the app may frame it.
- Files users uploaded (run files, artifact files, wandb downloads): `user_file_headers`, which
  sandboxes them and makes every type that can run script (svg, html, xml...) a download.
"""

from __future__ import annotations

import mimetypes
import urllib.parse

from starlette.types import ASGIApp, Message, Receive, Scope, Send

APP_CSP = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "media-src 'self' blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "frame-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)

# The page the web UI frames logged html in (web/public/html-frame.html). Logged html is arbitrary
# (plotly exports inline their scripts, some load them from a CDN), so its policy allows what such a
# page does; `sandbox allow-scripts` gives it an opaque origin even when opened on its own, so it can
# never read the app's storage (the API key) or call the API as the viewer.
HTML_FRAME = "/html-frame.html"
HTML_FRAME_CSP = (
    "sandbox allow-scripts; default-src * data: blob: 'unsafe-inline' 'unsafe-eval'; frame-ancestors 'self'"
)

# Uploaded files are data, never a page of the app: no script, no plugin, no form, own origin.
USER_FILE_CSP = "sandbox; default-src 'none'"

# Types a browser only displays: served inline (the UI shows them). Anything else is a download.
PASSIVE_TYPES = frozenset(
    {
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
        "image/bmp",
        "image/avif",
        "video/mp4",
        "video/webm",
        "video/ogg",
        "audio/wav",
        "audio/x-wav",
        "audio/mpeg",
        "audio/ogg",
        "audio/flac",
        "audio/webm",
        "application/json",
        "text/plain",
        "text/csv",
    }
)


def user_file_headers(name: str, content_type: str | None = None) -> dict[str, str]:
    """Headers of a response carrying a user's file named `name` (its content type guessed from the
    name when not given): sandboxed always; an attachment unless its type is passive."""
    ctype = (content_type or mimetypes.guess_type(name)[0] or "application/octet-stream").split(";")[0]
    h = {"Content-Security-Policy": USER_FILE_CSP}
    if ctype.strip().lower() not in PASSIVE_TYPES:
        base = name.rsplit("/", 1)[-1] or "file"
        h["Content-Disposition"] = f"attachment; filename*=UTF-8''{urllib.parse.quote(base, safe='')}"
    return h


_ALWAYS = ((b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer"))


class SecurityHeaders:
    """Pure ASGI: adds the headers above to every HTTP response that does not set them itself."""

    def __init__(self, app: ASGIApp):
        self.app = app
        self._app = self._policy(APP_CSP, b"DENY")
        self._frame = self._policy(HTML_FRAME_CSP, b"SAMEORIGIN")

    @staticmethod
    def _policy(csp: str, frame_options: bytes) -> tuple[tuple[bytes, bytes], ...]:
        return (*_ALWAYS, (b"content-security-policy", csp.encode()), (b"x-frame-options", frame_options))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        frame = scope["path"] == scope.get("root_path", "") + HTML_FRAME
        extra = self._frame if frame else self._app

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                have = {k.lower() for k, _ in headers}
                headers.extend((k, v) for k, v in extra if k not in have)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
