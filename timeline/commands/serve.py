"""`serve`: build, serve the output folder, rebuild on every save, reload the browser.

The livereload package does the serving, the watching and the reloading: it
polls content/ and templates/, calls `Preview.rebuild` when a file changed,
injects its script into every HTML response and tells connected browsers to
reload. Each rebuild is the normal build (pipeline.build), so a preview is
exactly what `build` would publish, and rebuilds are as incremental as
builds are.

While the content is broken, every page request is answered with the error
page listing the problems as `check` prints them, never with a stale page;
the next save that fixes them brings the site back.

The preview holds drafts, and any web page the editor opens could ask the
browser for it: it answers only requests whose Host header names it
(AllowedHosts, against DNS rebinding), takes live-reload connections only
from its own pages (check_origin), serves only regular files inside the
output folder once every link is resolved (_file_to_serve), and marks every
response as for its own origin alone (nosniff, Cross-Origin-Resource-Policy).
"""
from __future__ import annotations

import errno
import ipaddress
import json
import os
import re
import socket
import stat
from dataclasses import replace
import sys
import time
import traceback
from functools import partial
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from livereload import Server
from livereload.handlers import LiveReloadHandler, LiveReloadJSHandler, StaticFileHandler
from livereload.server import LiveScriptInjector
from livereload.watcher import Watcher
from tornado.httpserver import HTTPServer
from tornado.netutil import bind_sockets
from tornado.web import Application, HTTPError

from ..layout import display_path
from ..model import Problem
from ..pipeline import BuildOptions, BuildResult, build
from ..render import make_environment
from ..speed import BuildState

ERROR_TEMPLATE = "error.html"
NOT_FOUND_PAGE = "404.html"
_LISTED_PATHS = 5
# livereload's own snippet (livereload/server.py): it loads livereload.js from the page's own host and port.
LIVE_SCRIPT = (b'<script type="text/javascript">(function(){var s=document.createElement("script");'
               b"var port=(window.location.port || (window.location.protocol == 'https:' ? 443: 80));"
               b's.src="//"+window.location.hostname+":"+port+ "/livereload.js?port=" + port;'
               b"document.head.appendChild(s);})();</script>")
# A Host header: a bracketed IPv6 address or a name (an IPv4 address is one), then an optional port.
_HOST_HEADER = re.compile(r"(?:\[(?P<ipv6>[0-9A-Fa-f:.]+)\]|(?P<name>[A-Za-z0-9._-]+))(?::[0-9]{1,5})?")
REFUSED_HOST = ("403 Forbidden: this preview does not answer under that host name. To open it under that "
                "name, start serve again with --allow-host NAME.\n")


class CannotListen(Exception):
    """The address or port cannot be used; the message says what to do."""


class Preview:
    """The site under preview: rebuilds it, and holds the error page while the content is broken."""

    def __init__(self, options: BuildOptions, state: BuildState, error_templates: Path):
        """`options`: what each rebuild builds (never publishing: a preview adds no permalinks);
        `state`: what one rebuild keeps for the next (pipeline.build)."""
        self.options = replace(options, publish=False)
        self.state = state
        self.content_dir, self.output_dir = options.content, options.output
        self.error_template = make_environment(error_templates).get_template(ERROR_TEMPLATE)
        self.error_page: bytes | None = None
        self.changed = False  # whether the last rebuild changed what the browser shows

    def rebuild(self) -> BuildResult:
        """Build once; report what was written, or the problems that stopped it."""
        started = time.perf_counter()
        result = self._build()
        shown = self.error_page
        self.error_page = self._render_error_page(result.problems) if result.errors else None
        self.changed = bool(result.written or result.removed) or self.error_page != shown
        _report(result, time.perf_counter() - started)
        return result

    def _build(self) -> BuildResult:
        try:
            return build(self.options, self.state)
        except Exception as err:  # a bug in the builder: keep serving, show it, and say where to look
            traceback.print_exc()
            self.state = self.state.afresh()  # the next rebuild starts afresh
            return BuildResult((Problem(str(self.content_dir.absolute()),
                                        f"the build failed ({type(err).__name__}: {err}); "
                                        "the terminal running serve shows the details"),))

    def _render_error_page(self, problems: tuple[Problem, ...]) -> bytes:
        errors = [p for p in problems if p.severity == "error"]
        warnings = len(problems) - len(errors)
        return self.error_template.render(errors=errors, warnings=warnings,
                                          content=display_path(self.content_dir)).encode("utf-8")


def _report(result: BuildResult, seconds: float) -> None:
    if result.errors:
        for problem in result.errors:
            print(problem, file=sys.stderr)
        print(f"{len(result.errors)} error(s): the browser shows them until they are fixed", file=sys.stderr)
        return
    changed = [*result.written, *(f"{path} (removed)" for path in result.removed)]
    listed = ", ".join(changed[:_LISTED_PATHS]) + (", ..." if len(changed) > _LISTED_PATHS else "")
    print(f"rebuilt in {seconds:.2f} s: {len(result.written)} file(s) written, {len(result.removed)} removed"
          + (f": {listed}" if changed else ""), flush=True)


class AllowedHosts:
    """The host names the preview answers under; any other Host header is refused.

    A page on another site can rebind its own name to 127.0.0.1 and then read the preview as
    its own; its requests still carry its name in the Host header. So, as Vite and
    webpack-dev-server do: localhost and its subdomains, IP addresses (a name rebound is never
    one), the --host value and each --allow-host name (".example.test": it and its subdomains).
    The port is not compared: rebinding cannot change the name, and a forwarded port
    (ssh -L, a container) keeps working.
    """

    def __init__(self, host: str, allowed: tuple[str, ...] = ()):
        names = {_normal_name(name) for name in (host, *allowed)}
        self.names = {name for name in names if not name.startswith(".")}
        self.domains = tuple(name for name in names if name.startswith("."))

    def allow(self, header: str | None) -> bool:
        match = _HOST_HEADER.fullmatch(header or "")
        if match is None:
            return False
        if match["ipv6"] is not None:
            return _is_ip_address(match["ipv6"])
        name = _normal_name(match["name"])
        return (name in self.names or _is_ip_address(name) or name == "localhost" or name.endswith(".localhost")
                or any(name.endswith(domain) or name == domain[1:] for domain in self.domains))


def _normal_name(name: str) -> str:
    return name.lower().removesuffix(".")


def _is_ip_address(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


class GuardedHandler:
    """What every handler of the preview does: refuse a Host it does not serve (before anything
    else), mark each response as for this origin alone, and answer errors with a line of text.
    A mixin: first among a handler's bases, so that its methods run before tornado's."""

    def set_default_headers(self) -> None:
        super().set_default_headers()
        self.set_header("X-Content-Type-Options", "nosniff")
        # Another site's page cannot load the preview's files as its scripts or images (its
        # JavaScript, such as periods/map.js, would otherwise be readable there, drafts and all).
        self.set_header("Cross-Origin-Resource-Policy", "same-origin")

    def prepare(self):
        if not self.settings["allowed_hosts"].allow(self.request.headers.get("Host")):
            raise RefusedHost(403)
        return super().prepare()

    def write_error(self, status_code: int, **kwargs) -> None:
        refused = isinstance(kwargs.get("exc_info", (None, None))[1], RefusedHost)
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.finish(REFUSED_HOST if refused else f"{status_code} {self._reason}\n")


class RefusedHost(HTTPError):
    """A request whose Host header names no address of the preview."""


class PreviewFileHandler(GuardedHandler, StaticFileHandler):
    """livereload's static files (never a 304, so a reload shows the new bytes), or the error page."""

    def initialize(self, path: str, default_filename: str | None = None, preview: Preview | None = None):
        super().initialize(path, default_filename)
        self.preview = preview

    async def get(self, path: str, include_body: bool = True) -> None:
        if "\0" in path:  # no file name holds one; os functions raise on it
            raise HTTPError(400)
        if self.preview.error_page is not None and _asks_for_page(path, self.request.headers.get("Accept", "")):
            self.set_status(500, "Content errors")
            self.set_header("Content-Type", "text/html; charset=utf-8")
            self.set_header("Cache-Control", "no-store")
            self.finish(self.preview.error_page)
            return
        if _file_to_serve(Path(self.root), path) is None:
            raise HTTPError(404)
        await super().get(path, include_body)

    def write_error(self, status_code: int, **kwargs) -> None:
        """The site's own 404 page for a missing path, as a static host would serve it."""
        page = _file_to_serve(Path(self.root), NOT_FOUND_PAGE)
        if status_code != 404 or page is None:
            super().write_error(status_code, **kwargs)
            return
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish(page.read_bytes())


def _file_to_serve(root: Path, path: str) -> Path | None:
    """The regular file `path` names inside `root` (a folder's index.html), every link resolved; None
    for anything else: a path or link leading out of the output folder, a pipe, a device, nothing.

    Tornado checks this too since 6.6 only; the preview must not depend on which one is installed."""
    target = Path(os.path.realpath(os.path.join(root, path)))
    try:
        if stat.S_ISDIR(target.stat().st_mode):
            target = Path(os.path.realpath(target / "index.html"))
        return target if target.is_relative_to(root) and stat.S_ISREG(target.stat().st_mode) else None
    except OSError:  # missing, a name too long, a link loop
        return None


def _asks_for_page(path: str, accept: str) -> bool:
    return PurePosixPath(path).suffix in ("", ".html") or "text/html" in accept


class ReloadSocket(GuardedHandler, LiveReloadHandler):
    """livereload's websocket, which tells the browser to reload (and names the file saved), for
    the preview's own pages only: livereload accepts any page of any site."""

    def check_origin(self, origin: str) -> bool:
        return urlsplit(origin).netloc.lower() == self.request.headers.get("Host", "").lower()

    def on_message(self, message) -> None:
        try:
            hello = json.loads(message)
        except ValueError:
            hello = None
        if isinstance(hello, dict) and isinstance(hello.get("command"), str):  # else livereload raises
            super().on_message(message)


class ReloadScript(GuardedHandler, LiveReloadJSHandler):
    """livereload.js, which every page of the preview loads."""


class ScriptInjector(LiveScriptInjector):
    script = LIVE_SCRIPT


class PreviewWatcher(Watcher):
    """livereload's polling watcher, asking browsers to reload only when a rebuild changed something.

    A save that changes nothing the reader sees (or the permalink lock the build itself updates)
    then costs no reload.
    """

    def __init__(self, preview: Preview):
        super().__init__()
        self.preview = preview

    def examine(self):
        self.preview.changed = False
        changed_file, delay = super().examine()  # runs Preview.rebuild when a watched file changed
        restarted = changed_file == "__livereload__"  # livereload's signal to reload after a restart
        return (changed_file if self.preview.changed or restarted else None), delay

    def is_folder_changed(self, path, ignore=None):
        """livereload's walk, without following links to folders: one to / (or a parent) would have
        every poll walk the whole file system (or loop), and find /proc changed every time. Ignored
        folders (hidden ones, the output, the cache) are not walked at all."""
        for folder, subfolders, files in os.walk(path):
            subfolders[:] = [name for name in subfolders if name not in self.ignored_dirs
                             and not (ignore and ignore(os.path.join(folder, name)))]
            if any(self.is_file_changed(os.path.join(folder, name), ignore) for name in files):
                return True
        return False


class PreviewServer(Server):
    """livereload's server with the preview's watcher and handlers, on sockets bound already."""

    def __init__(self, preview: Preview, sockets: list[socket.socket], allowed_hosts: AllowedHosts):
        super().__init__(watcher=PreviewWatcher(preview))
        self.preview = preview
        self.sockets = sockets
        self.allowed_hosts = allowed_hosts

    def application(self, port, host, liveport=None, debug=None, live_css=True):
        """livereload's application with guarded handlers, and without its /forcereload, with which
        any page of any site could reload every open preview."""
        LiveReloadHandler.watcher = self.watcher
        LiveReloadHandler.live_css = live_css
        handlers = [(r"/livereload", ReloadSocket), (r"/livereload.js", ReloadScript),
                    *self.get_web_handlers(LIVE_SCRIPT)]
        app = Application(handlers, transforms=[ScriptInjector], allowed_hosts=self.allowed_hosts)
        HTTPServer(app).add_sockets(self.sockets)

    def get_web_handlers(self, script):
        return [(r"/(.*)", PreviewFileHandler, {"path": str(self.preview.output_dir),
                                                 "default_filename": "index.html", "preview": self.preview})]


def _ignored(folder: Path, output_dir: Path, cache_dir: Path | None, path: str) -> bool:
    """Hidden files and folders (editors' swap files), the output and the cache never trigger a rebuild.

    `path` is as walked, below `folder`: a link's own name, not where it leads (which may be anywhere)."""
    changed = Path(path)
    if any(changed.is_relative_to(made.resolve()) for made in (output_dir, cache_dir) if made is not None):
        return True
    return any(part.startswith(".") for part in changed.relative_to(folder).parts)


def listen(host: str, port: int) -> list[socket.socket]:
    """The listening sockets for host:port; raises CannotListen saying what to change."""
    try:
        return bind_sockets(port, host)
    except OSError as err:  # socket.gaierror too: a name that does not resolve
        raise CannotListen(f"cannot listen on {_url_host(host)}:{port} ({err.strerror or err}); "
                           f"{_advice(err)}") from None


def _advice(err: OSError) -> str:
    if isinstance(err, socket.gaierror) or err.errno in (errno.EADDRNOTAVAIL, errno.EAFNOSUPPORT):
        return "give --host an address of this machine, such as 127.0.0.1"
    if err.errno == errno.EACCES:
        return "choose another --port (ports below 1024 need administrator rights)"
    return "stop the other server or choose another --port"


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def only_this_machine(sockets: list[socket.socket]) -> bool:
    """Whether every socket listens on a loopback address, which other machines cannot reach."""
    return all(ipaddress.ip_address(sock.getsockname()[0].split("%")[0]).is_loopback for sock in sockets)


def serve(options: BuildOptions, state: BuildState, error_templates: Path, *, host: str = "127.0.0.1",
          port: int = 8000, allowed_hosts: tuple[str, ...] = ()) -> None:
    """Serve until Ctrl-C; raises CannotListen when the address or port cannot be used (before the
    first build, so it is said at once), KeyboardInterrupt for a Ctrl-C before serving began."""
    output_dir = options.output.resolve()
    content_dir, templates_dir, cache_dir = options.content, options.templates, state.cache_dir
    sockets = listen(host, port)
    try:
        preview = Preview(replace(options, output=output_dir), state, error_templates)
        if options.drafts:
            print(f"drafts are included: {display_path(output_dir)} is a preview, not for publishing", file=sys.stderr)
        server = PreviewServer(preview, sockets, AllowedHosts(host, allowed_hosts))
        for folder in {content_dir.resolve(), templates_dir.resolve()}:
            server.watch(str(folder), preview.rebuild, ignore=partial(_ignored, folder, output_dir, cache_dir))
        # The watcher's first look records every file; done before the first build, a change made
        # while it runs (even a rename, which keeps the file's old time) is seen.
        server.watcher.examine()
        preview.rebuild()
        # livereload skips reloads within 3 s of the previous one; every rebuild must show.
        LiveReloadHandler.DEFAULT_RELOAD_TIME = 0
        print(f"serving {display_path(output_dir)} on http://{_url_host(host)}:{port}/ (Ctrl-C stops)", flush=True)
        if not only_this_machine(sockets):
            print(f"{host} is reachable from other machines: anyone who can reach this one can read the preview"
                  + (", drafts included" if options.drafts else ""), file=sys.stderr)
        server.serve(port=port, host=host, live_css=False, restart_delay=0)  # livereload stops on Ctrl-C
    finally:
        for sock in sockets:
            sock.close()
    print("stopped", flush=True)
