"""`kiosk serve`'s web server: textual-serve's Server with kiosk's guard in front of every request.

textual-serve starts one process per browser and has no authentication; this subclass adds:
- the token on every request (page, static files, websocket): `?token=` or the cookie the page
  sets, compared in constant time; 401 without it, 403 with a wrong one;
- the websocket's Origin must be `serve.public_url` or one of `serve.allowed_origins`;
- at most `serve.max_viewers` browsers: the next page is a 503 page, the next websocket is closed
  with code 1013 before any process starts;
- its own page template, which loads nothing from the internet (textual-serve's own loads a
  Google font): fonts, CSS and JS come from textual-serve's static folder, and a
  Content-Security-Policy tells the browser to load nothing else;
- no file download route and no directory listing; the client's messages are bounded.
It must never start a viewer for a refused request, never print or log the token, and never serve
anything but the read-only viewer (`kiosk ui --viewer`).
"""

from __future__ import annotations

import asyncio
import html
import json
import logging
import re
from pathlib import Path
from typing import Any

import aiohttp_jinja2
import jinja2
from aiohttp import WSMsgType, web
from textual_serve.app_service import AppService
from textual_serve.server import Server

from kiosk.web.guard import COOKIE, ViewerSlots, allowed_origins, origin_ok, token_ok

log = logging.getLogger("kiosk.serve")
TEMPLATES = Path(__file__).parent / "templates"
BUSY_CLOSE_CODE = 1013  # "try again later"
MAX_STDIN = 256  # characters in one keyboard message from a browser
MAX_SIZE = 500  # terminal columns or rows a browser may ask for


class _NoToken(logging.Filter):
    """aiohttp's access log writes each request line, query string included: never the token."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "token=" in message:
            record.msg, record.args = TOKEN_IN_URL.sub(r"\1token=(not logged)", message), ()
        return True


TOKEN_IN_URL = re.compile(r"([?&])token=[^&\s\"]*")


def _bounded(value: object, low: int, high: int, default: int) -> int:
    try:
        number = int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return default
    return min(max(number, low), high)


def refusal(status: int, title: str, text: str) -> web.Response:
    """A small page that says why, with nothing in it to load."""
    body = (f"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{html.escape(title)}</title></head>"
            f"<body style=\"font-family: sans-serif; margin: 3em\"><h1>{html.escape(title)}</h1>"
            f"<p>{html.escape(text)}</p></body></html>")
    response = web.Response(status=status, text=body, content_type="text/html")
    _safe_headers(response, "")
    return response


def _safe_headers(response: web.StreamResponse, websocket_url: str) -> None:
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    connect = f"'self' {websocket_url}".strip()
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
        f"font-src 'self'; img-src 'self' data:; connect-src {connect}; base-uri 'none'; "
        "form-action 'none'; frame-ancestors 'none'")


class BoardServer(Server):
    """Serve `command` (the read-only viewer) to browsers that have the token."""

    def __init__(self, command: str, *, bind: str, port: int, public_url: str, token: str, max_viewers: int,
                 origins: tuple[str, ...] = (), title: str = "kiosk") -> None:
        if not token:
            raise ValueError("serve.token is not set")
        super().__init__(command, host=bind, port=port, title=title, public_url=public_url.rstrip("/"),
                         templates_path=TEMPLATES)
        self._token = token
        self.origins = allowed_origins(self.public_url, origins)
        self.slots = ViewerSlots(max_viewers)
        self.started = 0  # viewer processes started so far

    def initialize_logging(self) -> None:
        super().initialize_logging()
        for name in ("aiohttp.access", "aiohttp.server", "aiohttp.web", "textual-serve", "kiosk.serve"):
            logging.getLogger(name).addFilter(_NoToken())

    # --- the web application --------------------------------------------------------------------
    async def _make_app(self) -> web.Application:
        app = web.Application(middlewares=[self._guard], client_max_size=64 * 1024)
        aiohttp_jinja2.setup(app, loader=jinja2.FileSystemLoader(self.templates_path), autoescape=True)
        app.add_routes([
            web.get("/", self.handle_index, name="index"),
            web.get("/ws", self.handle_websocket, name="websocket"),
            web.static("/static", self.statics_path, show_index=False, name="static"),
        ])
        app.on_startup.append(self.on_startup)
        app.on_shutdown.append(self.on_shutdown)
        return app

    @web.middleware
    async def _guard(self, request: web.Request, handler) -> web.StreamResponse:
        given = request.query.get("token") or request.cookies.get(COOKIE)
        if not given:
            log.warning("refused %s %s from %s: no token", request.method, request.path, request.remote)
            return refusal(401, "Token needed",
                           "Open the board with the address that includes its token (ask whoever set up kiosk serve).")
        if not token_ok(given, self._token):
            log.warning("refused %s %s from %s: wrong token", request.method, request.path, request.remote)
            return refusal(403, "Wrong token", "This token does not open the board.")
        return await handler(request)

    async def on_startup(self, app: web.Application) -> None:
        self.console.print(f"kiosk serve: the read-only board on {self.public_url}/?token=... "
                           f"(listening on {self.host}:{self.port}, at most {self.slots.limit} browsers). "
                           "Ctrl+C stops it.", highlight=False, markup=False)

    # --- the page -----------------------------------------------------------------------------
    def websocket_url(self) -> str:
        scheme, rest = self.public_url.split(":", 1)
        return ("wss:" if scheme == "https" else "ws:") + rest + "/ws"

    async def handle_index(self, request: web.Request) -> web.StreamResponse:  # type: ignore[override]
        if self.slots.full:
            return refusal(503, "The board is open on enough screens",
                           f"It is already open in {self.slots.limit} browser(s), the most allowed "
                           "(serve.max_viewers). Close one, then reload this page.")
        context: dict[str, Any] = {
            "title": self.title,
            "font_size": _bounded(request.query.get("fontsize", "16"), 8, 48, 16),
            "websocket_url": self.websocket_url(),
            "static_url": "/static/",
        }
        response = aiohttp_jinja2.render_template("board.html", request, context)
        _safe_headers(response, self.websocket_url())
        if request.query.get("token"):
            response.set_cookie(COOKIE, request.query["token"], httponly=True, samesite="Strict", path="/",
                                secure=self.public_url.startswith("https:"))
        return response

    # --- the websocket ------------------------------------------------------------------------
    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        if not origin_ok(request.headers.get("Origin"), self.origins):
            log.warning("refused websocket from %s: origin %r", request.remote, request.headers.get("Origin"))
            raise web.HTTPForbidden(text="origin not allowed")
        if not self.slots.take():
            websocket = web.WebSocketResponse()
            await websocket.prepare(request)
            await websocket.close(code=BUSY_CLOSE_CODE,
                                  message=f"the board is open in {self.slots.limit} browsers already".encode())
            return websocket
        try:
            return await self._run_viewer(request)
        finally:
            self.slots.release()

    async def _run_viewer(self, request: web.Request) -> web.WebSocketResponse:
        """textual-serve's websocket handler, with the first size bounded: one viewer process."""
        websocket = web.WebSocketResponse(heartbeat=15, max_msg_size=64 * 1024)
        service: AppService | None = None
        try:
            await websocket.prepare(request)
            service = AppService(self.command, write_bytes=websocket.send_bytes, write_str=websocket.send_str,
                                 close=websocket.close, download_manager=self.download_manager, debug=False)
            self.started += 1
            await service.start(_bounded(request.query.get("width"), 20, MAX_SIZE, 80),
                                _bounded(request.query.get("height"), 5, MAX_SIZE, 24))
            await self._process_messages(websocket, service)
        except asyncio.CancelledError:
            await websocket.close()
        except Exception:  # noqa: BLE001 - one browser's failure must not stop the server
            log.exception("viewer session failed")
        finally:
            if service is not None:
                await service.stop()
        return websocket

    async def _process_messages(self, websocket: web.WebSocketResponse, app_service) -> None:
        """textual-serve's message loop, with every message checked: keys are short text, sizes
        are bounded, anything else is ignored (garbage never reaches the viewer)."""
        async for message in websocket:
            if message.type != WSMsgType.TEXT:
                continue
            try:
                envelope = json.loads(message.data)
            except ValueError:
                continue
            if not isinstance(envelope, list) or not envelope or not isinstance(envelope[0], str):
                continue
            kind, data = envelope[0], (envelope[1] if len(envelope) > 1 else None)
            if kind == "stdin" and isinstance(data, str) and len(data) <= MAX_STDIN:
                await app_service.send_bytes(data.encode("utf-8", "replace"))
            elif kind == "resize" and isinstance(data, dict):
                await app_service.set_terminal_size(_bounded(data.get("width"), 20, MAX_SIZE, 80),
                                                    _bounded(data.get("height"), 5, MAX_SIZE, 24))
            elif kind == "ping" and isinstance(data, str) and len(data) <= 40:
                await websocket.send_json(["pong", data])
            elif kind == "blur":
                await app_service.blur()
            elif kind == "focus":
                await app_service.focus()
