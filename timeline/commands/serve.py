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
"""
from __future__ import annotations

import errno
from dataclasses import replace
import sys
import time
import traceback
from functools import partial
from pathlib import Path, PurePosixPath

from livereload import Server
from livereload.handlers import LiveReloadHandler, StaticFileHandler
from livereload.watcher import Watcher

from ..layout import display_path
from ..model import Problem
from ..pipeline import BuildOptions, BuildResult, build
from ..render import make_environment
from ..speed import BuildState

ERROR_TEMPLATE = "error.html"
NOT_FOUND_PAGE = "404.html"
_LISTED_PATHS = 5


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


class PreviewFileHandler(StaticFileHandler):
    """livereload's static files (never a 304, so a reload shows the new bytes), or the error page."""

    def initialize(self, path: str, default_filename: str | None = None, preview: Preview | None = None):
        super().initialize(path, default_filename)
        self.preview = preview

    async def get(self, path: str, include_body: bool = True) -> None:
        if self.preview.error_page is not None and _asks_for_page(path, self.request.headers.get("Accept", "")):
            self.set_status(500, "Content errors")
            self.set_header("Content-Type", "text/html; charset=utf-8")
            self.set_header("Cache-Control", "no-store")
            self.finish(self.preview.error_page)
            return
        await super().get(path, include_body)

    def write_error(self, status_code: int, **kwargs) -> None:
        """The site's own 404 page for a missing path, as a static host would serve it."""
        page = Path(self.root) / NOT_FOUND_PAGE
        if status_code != 404 or not page.is_file():
            super().write_error(status_code, **kwargs)
            return
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish(page.read_bytes())


def _asks_for_page(path: str, accept: str) -> bool:
    return PurePosixPath(path).suffix in ("", ".html") or "text/html" in accept


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


class PreviewServer(Server):
    """livereload's server with the preview's watcher and file handler."""

    def __init__(self, preview: Preview):
        super().__init__(watcher=PreviewWatcher(preview))
        self.preview = preview

    def get_web_handlers(self, script):
        return [(r"/(.*)", PreviewFileHandler, {"path": str(self.preview.output_dir),
                                                 "default_filename": "index.html", "preview": self.preview})]


def _ignored(folder: Path, output_dir: Path, cache_dir: Path | None, path: str) -> bool:
    """Hidden files (editors' swap files), the output and the cache never trigger a rebuild."""
    changed = Path(path).resolve()
    if any(changed.is_relative_to(made.resolve()) for made in (output_dir, cache_dir) if made is not None):
        return True
    return any(part.startswith(".") for part in changed.relative_to(folder).parts)


def serve(options: BuildOptions, state: BuildState, error_templates: Path, *, host: str = "127.0.0.1",
          port: int = 8000) -> None:
    """Serve until Ctrl-C; raises CannotListen when the port cannot be used."""
    output_dir = options.output.resolve()
    content_dir, templates_dir = options.content, options.templates
    cache_dir = state.cache_dir
    preview = Preview(replace(options, output=output_dir), state, error_templates)
    try:
        if options.drafts:
            print(f"drafts are included: {display_path(output_dir)} is a preview, not for publishing", file=sys.stderr)
        server = PreviewServer(preview)
        for folder in {content_dir.resolve(), templates_dir.resolve()}:
            server.watch(str(folder), preview.rebuild, ignore=partial(_ignored, folder, output_dir, cache_dir))
        # The watcher's first look records every file; done before the first build, a change made
        # while it runs (even a rename, which keeps the file's old time) is seen.
        server.watcher.examine()
        preview.rebuild()
        # livereload skips reloads within 3 s of the previous one; every rebuild must show.
        LiveReloadHandler.DEFAULT_RELOAD_TIME = 0
        print(f"serving {display_path(output_dir)} on http://{host}:{port}/ (Ctrl-C stops)", flush=True)
        server.serve(port=port, host=host, live_css=False, restart_delay=0)
    except OSError as err:
        if err.errno not in (errno.EADDRINUSE, errno.EACCES, errno.EADDRNOTAVAIL):
            raise
        raise CannotListen(f"cannot listen on {host}:{port} ({err.strerror}); "
                           "stop the other server or choose another --port") from None
    except KeyboardInterrupt:
        pass  # livereload stops on Ctrl-C while serving; this is Ctrl-C during the first build
    print("stopped", flush=True)
