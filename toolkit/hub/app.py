"""`serve`: the hub as a local web app (Starlette on uvicorn), live-reloading as files change (watchfiles).

Safe by default: it listens on 127.0.0.1 and answers only local host names; listening anywhere else needs the
token printed at start. Every form carries a per-session token and must come from the hub's own origin; the only
file it writes is the profile being changed, inside the profiles folder, atomically and only when it validates.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from urllib.parse import parse_qs

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import Route

from toolkit.hub import edit, pages
from toolkit.hub.pages import Mode
from toolkit.hub.security import (
    CONTENT_SECURITY_POLICY,
    SESSION_COOKIE,
    TOKEN_COOKIE,
    Guard,
    host_allowed,
    same_origin,
)
from toolkit.hub.state import Hub
from toolkit.model import plain_text
from toolkit.render.templates import HTML_TEMPLATES

HEARTBEAT_SECONDS = 15
MAX_FORM_BYTES = 1024 * 1024  # a profile is at most 1 MiB, so a form never needs more
KEPT_RESULTS = 50


class HubApp:
    """The routes over one Hub; a class so that tests can start it in a thread and reach its state."""

    def __init__(self, hub: Hub, *, local_only: bool = True, watch: bool = True) -> None:
        self.hub = hub
        self.local_only = local_only
        self.guard = Guard(needs_token=not local_only)
        self.mode = Mode(live=True)
        self.listeners: set[asyncio.Queue[int]] = set()
        self.results: dict[str, str] = {}
        self.watch = watch
        self.loop: asyncio.AbstractEventLoop | None = None
        self.git = edit.git_root(hub.profiles_dir) is not None
        protect = Middleware(BaseHTTPMiddleware, dispatch=self._protect)
        self.app = Starlette(routes=self._routes(), lifespan=self._lifespan, middleware=[protect])

    def _routes(self) -> list[Route]:
        return [
            Route("/", self.index),
            Route("/assets/hub.css", self.css),
            Route("/assets/live.js", self.script),
            Route("/events", self.events),
            Route("/core/", self.core),
            Route("/clauses/", self.clauses),
            Route("/clauses/{clause_id}/", self.clause),
            Route("/matrix/", self.matrix),
            Route("/profiles/{name}/", self.profile),
            Route("/profiles/{name}/diff/", self.diff),
            Route("/profiles/{name}/diff-parent/", self.diff_parent),
            Route("/profiles/{name}/clauses/{clause_id}/edit", self.edit, methods=["GET", "POST"]),
            Route("/profiles/{name}/saved/{key}", self.saved),
        ]

    # Safety ------------------------------------------------------------------------------------------------------

    async def _protect(self, request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        if not host_allowed(request.headers.get("host"), local_only=self.local_only):
            return PlainTextResponse("This hub answers only on this computer's own address.", status_code=421)
        given = request.query_params.get("token") or request.cookies.get(TOKEN_COOKIE)
        if not self.guard.token_ok(given):
            return PlainTextResponse(
                "This hub needs its access token: open the address printed when it started.", status_code=403
            )
        session = request.cookies.get(SESSION_COOKIE)
        request.state.session = session or Guard.new_session()
        response = await call_next(request)
        response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        if not session:
            response.set_cookie(SESSION_COOKIE, request.state.session, httponly=True, samesite="strict")
        if self.guard.access_token and request.query_params.get("token"):
            response.set_cookie(TOKEN_COOKIE, self.guard.access_token, httponly=True, samesite="strict")
        return response

    # Live reload ---------------------------------------------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def _lifespan(self, _app: Starlette) -> AsyncIterator[None]:
        self.loop = asyncio.get_running_loop()
        stop = asyncio.Event()
        watcher = asyncio.create_task(self._watch(stop)) if self.watch else None
        try:
            yield
        finally:
            stop.set()
            self.close_streams()
            if watcher is not None:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await asyncio.wait_for(watcher, 2)

    async def _watch(self, stop: asyncio.Event) -> None:
        from watchfiles import awatch

        folders = [self.hub.profiles_dir, self.hub.core.directory]
        async for changes in awatch(*folders, stop_event=stop, watch_filter=_worth_watching, debounce=400, step=50):
            paths = [Path(path) for _, path in changes]
            if await asyncio.to_thread(self.hub.changed, paths):
                self.announce()

    def close_streams(self) -> None:
        """End every open event stream (a server waits for open connections before it stops); any thread."""
        self._tell_listeners(-1)

    def _tell_listeners(self, value: int) -> None:
        loop = self.loop
        for queue in list(self.listeners):
            if loop is not None and loop.is_running():
                loop.call_soon_threadsafe(queue.put_nowait, value)
            else:
                queue.put_nowait(value)

    def announce(self) -> None:
        self._tell_listeners(self.hub.version)

    async def events(self, request: Request) -> Response:
        queue: asyncio.Queue[int] = asyncio.Queue()
        self.listeners.add(queue)

        async def stream() -> AsyncIterator[str]:
            try:
                yield f"retry: 1000\ndata: {self.hub.version}\n\n"
                while True:
                    try:
                        version = await asyncio.wait_for(queue.get(), HEARTBEAT_SECONDS)
                    except TimeoutError:
                        yield ": still here\n\n"
                        continue
                    if version < 0:
                        return
                    yield f"data: {version}\n\n"
            finally:
                self.listeners.discard(queue)

        headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
        return StreamingResponse(stream(), media_type="text/event-stream", headers=headers)

    # Pages ---------------------------------------------------------------------------------------------------------

    def index(self, request: Request) -> Response:
        return HTMLResponse(pages.index_page(self.hub, self.mode))

    def css(self, request: Request) -> Response:
        return Response(pages.stylesheet(self.hub), media_type="text/css")

    def script(self, request: Request) -> Response:
        return Response((HTML_TEMPLATES / "live.js").read_text(encoding="utf-8"), media_type="text/javascript")

    def core(self, request: Request) -> Response:
        return HTMLResponse(pages.policy_page(self.hub, self.hub.baseline(), self.mode, core=True))

    def clauses(self, request: Request) -> Response:
        return HTMLResponse(pages.clause_index_page(self.hub, self.mode))

    def clause(self, request: Request) -> Response:
        page = pages.clause_page(self.hub, request.path_params["clause_id"], self.mode)
        return HTMLResponse(page) if page is not None else _not_found("no clause with that ID")

    def matrix(self, request: Request) -> Response:
        return HTMLResponse(pages.matrix_page(self.hub, self.mode))

    def _outcome_or_page(self, name: str) -> tuple[object | None, Response | None]:
        if not self.hub.has(name):
            return None, _not_found("no profile with that name")
        outcome = self.hub.outcome(name)
        if outcome.policy is None:
            return None, HTMLResponse(pages.problems_page(self.hub, name, outcome, self.mode))
        return outcome.policy, None

    def profile(self, request: Request) -> Response:
        policy, problem = self._outcome_or_page(request.path_params["name"])
        return problem or HTMLResponse(pages.policy_page(self.hub, policy, self.mode))  # type: ignore[arg-type]

    def diff(self, request: Request) -> Response:
        policy, problem = self._outcome_or_page(request.path_params["name"])
        return problem or HTMLResponse(pages.diff_page(self.hub, policy, self.mode))  # type: ignore[arg-type]

    def diff_parent(self, request: Request) -> Response:
        policy, problem = self._outcome_or_page(request.path_params["name"])
        return problem or HTMLResponse(pages.diff_page(self.hub, policy, self.mode, parent=True))  # type: ignore[arg-type]

    # Editing -------------------------------------------------------------------------------------------------------

    async def edit(self, request: Request) -> Response:
        name, clause_id = request.path_params["name"], request.path_params["clause_id"]
        policy, problem = await asyncio.to_thread(self._outcome_or_page, name)
        if problem is not None:
            return problem
        path = self.hub.paths()[name]
        if not self.hub.is_editable(path):
            return _not_found("bundled profiles are not changed here; copy one into your profiles folder")
        found = pages._find(policy, clause_id)  # type: ignore[arg-type]
        if found is None or not found[1].visible:
            return _not_found("no clause with that ID in this version")
        if request.method == "GET":
            form = edit.form_for(path, policy, found[1])  # type: ignore[arg-type]
            return HTMLResponse(self._form_page(request, name, clause_id, form))
        fields = await _form_fields(request)
        if fields is None:
            return PlainTextResponse("The form is too large.", status_code=413)
        if not same_origin(
            request.headers.get("origin"),
            request.headers.get("referer"),
            request.headers.get("host"),
            request.url.scheme,
        ) or not self.guard.csrf_ok(request.cookies.get(SESSION_COOKIE), fields.get("csrf_token")):
            return PlainTextResponse(
                "This form did not come from this hub's own page (or its session ended); open it again.",
                status_code=403,
            )
        form = edit.Form(
            change="remove" if fields.get("change") == "remove" else "change",
            title=fields.get("title", ""),
            text=fields.get("text", ""),
            reason=fields.get("reason", ""),
            commit=fields.get("commit") == "yes" and self.git,
            file_hash=fields.get("file_hash", ""),
        )
        outcome = await asyncio.to_thread(edit.save, self.hub, name, clause_id, form)
        if isinstance(outcome, edit.Form):
            return HTMLResponse(self._form_page(request, name, clause_id, outcome), status_code=400)
        self.announce()
        key = secrets.token_urlsafe(12)
        self.results[key] = pages.saved_page(
            self.hub, outcome.before, outcome.after, clause_id, outcome.message, self.mode
        )
        while len(self.results) > KEPT_RESULTS:
            self.results.pop(next(iter(self.results)))
        return RedirectResponse(f"/profiles/{name}/saved/{key}", status_code=303)

    def saved(self, request: Request) -> Response:
        page = self.results.get(request.path_params["key"])
        return HTMLResponse(page) if page is not None else _not_found("that result has expired")

    def _form_page(self, request: Request, name: str, clause_id: str, form: edit.Form) -> str:
        policy = self.hub.policy(name)
        found = pages._find(policy, clause_id) if policy else None
        label = plain_text(found[1].title) if found else clause_id
        return pages.edit_page(
            self.hub,
            self.mode,
            name=name,
            clause_id=clause_id,
            label=label or clause_id,
            form=form,
            csrf_token=self.guard.csrf_token(request.state.session),
            git=self.git,
        )


def _worth_watching(_change: object, path: str) -> bool:
    name = Path(path).name
    return not (name.startswith(".") or name.endswith((".partial", ".lock", "~")) or "/.git/" in path)


async def _form_fields(request: Request) -> dict[str, str] | None:
    """A URL-encoded form, read with the standard library (no multipart: the form sends none)."""
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            return None
    parsed = parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True)
    return {key: values[0] for key, values in parsed.items()}


def _not_found(message: str) -> Response:
    return PlainTextResponse(f"Not found: {message}.", status_code=404)


# Running -------------------------------------------------------------------------------------------------------------


def warm(hub: Hub) -> threading.Thread:
    """Resolve every profile in the background, so the first clause comparison does not wait for all of them."""

    def work() -> None:
        for name in hub.paths():
            hub.outcome(name)

    thread = threading.Thread(target=work, name="hub-warm", daemon=True)
    thread.start()
    return thread


def serve(profiles_dir: Path, core_dir: Path | None, host: str, port: int, *, open_browser: bool) -> None:
    import uvicorn

    from toolkit.hub.security import LOCAL_HOSTS

    hub = Hub(profiles_dir, core_dir)
    hub.paths()  # a missing profiles folder is reported before the server starts
    web = HubApp(hub, local_only=host in LOCAL_HOSTS)
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    address = f"http://{shown}:{port}/"
    if web.guard.access_token:
        address += f"?token={web.guard.access_token}"
    print(f"The guidance hub is at {address}\n(press Ctrl+C to stop)", flush=True)
    warm(hub)
    if open_browser:
        import webbrowser

        threading.Timer(1.0, webbrowser.open, [address]).start()
    uvicorn.run(web.app, host=host, port=port, log_level="warning", timeout_graceful_shutdown=2)


def start_in_thread(web: HubApp, host: str = "127.0.0.1", port: int = 0) -> tuple[Callable[[], None], str]:
    """Run the hub on a free port in a background thread (for tests and the benchmark); returns a function that
    stops it, and its base URL."""
    import time

    import uvicorn

    config = uvicorn.Config(web.app, host=host, port=port, log_level="warning", timeout_graceful_shutdown=1)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="hub-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the hub did not start")
        time.sleep(0.02)
    bound = server.servers[0].sockets[0].getsockname()[1]

    def stop() -> None:
        web.close_streams()
        server.should_exit = True
        thread.join(10)

    return stop, f"http://{host}:{bound}/"
