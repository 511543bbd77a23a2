"""The command line: parse arguments, call the pipeline, report, exit 0, 1 or 2."""
from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import replace
from pathlib import Path
from typing import NoReturn

from .. import __version__
from ..layout import display_path
from ..pipeline import BuildOptions, build, check, render_files
from ..signing import key_note
from ..speed import BuildState, Cached, Cold, InSession, heap
from ..speed.store import default_cache_dir

# The modules of the other commands load PyYAML and the validator: imported where used, so that a
# build with nothing to do (pipeline.build returns at once) does not wait for them.

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2
EXIT_INTERRUPTED = 130  # what a shell reports for a command stopped by Ctrl-C
INTERRUPTED = "interrupted; the published site was left as it was"
PROJECT_TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="timeline",
        description="Build a static news timeline from one YAML file per event.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--content", type=Path, default=Path("content"), metavar="DIR",
                        help="folder with timeline.yaml and entries/ (default: content)")
    common.add_argument("--templates", type=Path, default=None, metavar="DIR",
                        help="Jinja templates (default: templates/ beside the content folder, "
                             "else the built-in ones)")
    common.add_argument("--drafts", action="store_true", help="include entries marked draft: true")

    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    build_cmd = commands.add_parser("build", parents=[common], help="build the site (the default)")
    build_cmd.add_argument("--output", type=Path, default=Path("site"), metavar="DIR",
                           help="output folder (default: site)")
    check_cmd = commands.add_parser("check", parents=[common], help="validate the content without writing anything")
    check_cmd.add_argument("--links", action="store_true",
                           help="also render the site in memory and check every internal link and fragment")
    serve_cmd = _add_editor_commands(commands, common, check_cmd)
    _add_permalink_options(build_cmd, check_cmd, serve_cmd)
    _add_cache_options(build_cmd, check_cmd, serve_cmd)
    _add_network_options(build_cmd, check_cmd, serve_cmd)
    return parser


def _add_editor_commands(commands, common: argparse.ArgumentParser,
                         check_cmd: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """serve, new and schema, and check's options for CI; returns the serve command."""
    check_cmd.add_argument("--strict", action="store_true",
                           help="treat warnings (no summary, a source without URL, ...) as errors")
    check_cmd.add_argument("--format", choices=("text", "json"), default="text",
                           help="json: print the problems as a JSON array on stdout, for other tools")
    serve_cmd = commands.add_parser("serve", parents=[common],
                                    help="build, serve the site and rebuild it on every save, with live reload")
    serve_cmd.add_argument("--output", type=Path, default=Path("site"), metavar="DIR",
                           help="output folder (default: site)")
    serve_cmd.add_argument("--host", type=_listen_address, default="127.0.0.1",
                           help="address to listen on (default: 127.0.0.1)")
    serve_cmd.add_argument("--port", type=_port_number, default=8000, help="port to listen on, 1 to 65535 "
                                                                           "(default: 8000)")
    serve_cmd.add_argument("--allow-host", action="append", default=[], type=_host_name, metavar="NAME",
                           help="also answer requests for this host name (.NAME: it and its subdomains); "
                                "localhost, IP addresses and --host always work (repeatable)")
    new_cmd = commands.add_parser("new", help="start a new entry file that passes check")
    new_cmd.add_argument("title", help="headline of the event; its file name is made from it")
    new_cmd.add_argument("--date", help="when it happened, in any accepted form (default: today in the "
                                        "timeline's time zone)")
    new_cmd.add_argument("--tag", action="append", default=[], metavar="LABEL", help="a tag (repeatable)")
    new_cmd.add_argument("--source", metavar="NAME", help="who reported or said it")
    new_cmd.add_argument("--url", help="link to that source")
    new_cmd.add_argument("--id", dest="entry_id", metavar="ID",
                         help="file name and permanent URL slug (default: made from the title)")
    new_cmd.add_argument("--content", type=Path, default=Path("content"), metavar="DIR",
                         help="content folder (default: content)")
    commands.add_parser("schema", help="print the JSON Schema of the entry format, for editors' tools")
    _add_import_command(commands)
    return serve_cmd


def _add_import_command(commands) -> None:
    import_cmd = commands.add_parser("import", help="import a TimelineJS JSON file or sheet (CSV), or a "
                                                    "TimelineSetter CSV, as draft entries")
    import_cmd.add_argument("file", type=Path, help="the .json or .csv file (a Google Sheet downloaded as CSV)")
    import_cmd.add_argument("--content", type=Path, default=Path("content"), metavar="DIR",
                            help="content folder (default: content)")
    import_cmd.add_argument("--id-prefix", type=_id_prefix, default=None, metavar="PREFIX",
                            help="put PREFIX- before every id made, such as --id-prefix kabul")
    import_cmd.add_argument("--dry-run", action="store_true", help="check and list what would be written; "
                                                                   "write nothing")


def _id_prefix(text: str) -> str:
    if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*-?", text) or len(text) > 40:
        raise argparse.ArgumentTypeError(f'"{text}" is not an id prefix; use lowercase letters a-z, digits and '
                                         "single hyphens, at most 40, such as kabul")
    return text


def _port_number(text: str) -> int:
    if not re.fullmatch(r"[0-9]{1,5}", text) or not 1 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f'"{text}" is not a port; give a number from 1 to 65535, such as 8000')
    return int(text)


def _listen_address(text: str) -> str:
    """An IP address or a host name ([::1] as ::1); whether it is one of this machine's, listening says."""
    address = text[1:-1] if text.startswith("[") and text.endswith("]") else text
    if not re.fullmatch(r"[A-Za-z0-9._:%-]{1,253}", address):
        raise argparse.ArgumentTypeError(f'"{text}" is not an address; give an IP address such as 127.0.0.1 '
                                         "or a host name such as localhost")
    return address


def _host_name(text: str) -> str:
    if not re.fullmatch(r"\.?[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*\.?", text) or len(text) > 253:
        raise argparse.ArgumentTypeError(f'"{text}" is not a host name; give one such as preview.example.test '
                                         "(without a port), or .example.test for it and its subdomains")
    return text


def _add_permalink_options(*commands: argparse.ArgumentParser) -> None:
    for command in commands:
        command.add_argument("--allow-removed", action="append", default=[], metavar="PATH",
                             help="retire a published entry URL (entries/<id>/) on purpose; the site then "
                                  "serves a 'removed' page there (repeatable; recorded in content/permalinks.lock)")


def _add_cache_options(*commands: argparse.ArgumentParser) -> None:
    for command in commands:
        command.add_argument("--cache-dir", type=Path, default=None, metavar="DIR",
                             help="where to keep the build cache (default: a folder of the user's cache "
                                  "folder named after the content folder, e.g. ~/.cache/timeline/...)")
        command.add_argument("--no-cache", action="store_true",
                             help="read every file again and keep no cache: a cold build")


def _add_network_options(*commands: argparse.ArgumentParser) -> None:
    for command in commands:
        command.add_argument("--offline", action="store_true",
                             help="fetch no remote image: publish the copies kept by earlier builds (an image "
                                  "without one is an error); check then also checks that each has one")


def _options(args: argparse.Namespace) -> BuildOptions:
    """What the command asks of the pipeline."""
    return BuildOptions(content=args.content, templates=_templates_dir(args), output=getattr(args, "output", None),
                        drafts=args.drafts, allow_removed=tuple(args.allow_removed), publish=args.command == "build",
                        offline=args.offline)


def _state(args: argparse.Namespace, session: bool = False) -> BuildState:
    """How the command's builds reuse earlier work: not at all with --no-cache, else through the cache
    (the user's cache folder unless --cache-dir), and in a session for serve."""
    if args.no_cache:
        return Cold()
    cache_dir = args.cache_dir if args.cache_dir is not None else default_cache_dir(args.content)
    return InSession(cache_dir) if session else Cached(cache_dir)


def _templates_dir(args: argparse.Namespace) -> Path:
    if args.templates is not None:
        return args.templates
    beside = args.content.resolve().parent / "templates"
    return beside if beside.is_dir() else PROJECT_TEMPLATES


def _report(problems, show_warnings: bool = True) -> None:
    warnings = 0
    for problem in problems:
        if problem.severity == "warning" and not show_warnings:
            warnings += 1
            continue
        print(problem, file=sys.stderr)
    if warnings:
        print(f"{warnings} warning(s); `python build.py check` lists them.", file=sys.stderr)


def _note_key() -> None:
    note = key_note()
    if note:
        print(f"note: {note}", file=sys.stderr)


def run() -> NoReturn:
    """The command line as a process: main(), then exit with its status."""
    status = main()
    heap.exit_without_collecting()
    sys.exit(status)


def main(argv: list[str] | None = None) -> int:
    """Run one command; its exit status. Ctrl-C at any point gives one line, never a traceback: each
    command leaves the output folder as it was when it stops early (write.py moves files in last)."""
    try:
        return _main(argv)
    except KeyboardInterrupt:
        print(INTERRUPTED, file=sys.stderr)
        return EXIT_INTERRUPTED


def _main(argv: list[str] | None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0].startswith("-") and argv[0] not in ("-h", "--help", "--version"):
        argv.insert(0, "build")
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 for --help
        return int(exc.code or 0)
    if args.command == "check":
        return _check(args)
    if args.command in ("serve", "new", "schema", "import"):
        return {"serve": _serve, "new": _new, "schema": _schema, "import": _import}[args.command](args)
    return _build(args)


def _check(args) -> int:
    from ..links import check_links

    options, state = _options(args), _state(args)
    if args.links:
        files, result = render_files(options, state)
        if result.ok:
            result = replace(result, problems=result.problems + tuple(check_links(files, result.timeline.settings.base_url)))
    else:
        result = check(options, state)
    _note_key()
    problems = _strict(result.problems) if args.strict else result.problems
    errors = [p for p in problems if p.severity == "error"]
    if args.format == "json":
        print(json.dumps([p.as_dict() for p in problems], ensure_ascii=False, indent=2))
        return EXIT_CONTENT if errors else EXIT_OK
    _report(problems)
    if errors:
        print(f"{len(errors)} error(s); fix them and run check again.", file=sys.stderr)
        return EXIT_CONTENT
    print(f"ok: {len(result.timeline.entries)} entries")
    return EXIT_OK


def _strict(problems):
    return tuple(replace(p, severity="error") for p in problems)


def _build(args) -> int:
    result = build(_options(args), _state(args))
    _note_key()
    _report(result.problems, show_warnings=not result.ok)
    if not result.ok:
        print(f"{len(result.errors)} error(s); nothing was written to {args.output}.", file=sys.stderr)
        return EXIT_CONTENT
    print(f"built {result.entries} entries into {args.output}/ ({result.files_written} files)")
    return EXIT_OK


def _serve(args) -> int:
    from .serve import CannotListen, serve  # tornado is only needed here

    try:
        serve(_options(args), _state(args, session=True), PROJECT_TEMPLATES, host=args.host, port=args.port,
              allowed_hosts=tuple(args.allow_host))
    except CannotListen as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_OK


def _new(args) -> int:
    from .new import SCHEMA_FILE, ScaffoldError, create_entry

    try:
        created = create_entry(args.content, args.title, date=args.date, tags=tuple(args.tag),
                               source=args.source, url=args.url, entry_id=args.entry_id)
    except ScaffoldError as err:
        _report(err.problems)
        print(f"error: {err.message}", file=sys.stderr)
        return EXIT_USAGE if err.usage else EXIT_CONTENT
    print(display_path(created.path))
    if created.schema_written:
        print(f"(also wrote {display_path(args.content / SCHEMA_FILE)} for editors' YAML tools)", file=sys.stderr)
    return EXIT_OK


def _import(args) -> int:
    from .importing import ImportFailed, import_file

    try:
        imported = import_file(args.file, args.content, args.id_prefix or "", dry_run=args.dry_run)
    except ImportFailed as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_CONTENT
    plan = imported.plan
    _report(plan.problems)
    source = display_path(plan.source)
    if plan.errors:
        print(f"{len(plan.errors)} error(s) in {source}; nothing was written: fix them and import again.",
              file=sys.stderr)
        return EXIT_CONTENT
    _report_import(imported, args.dry_run)
    return EXIT_OK


def _report_import(imported, dry_run: bool) -> None:
    plan = imported.plan
    for entry in plan.entries:
        path = display_path(entry.path)
        if entry.status == "new":
            print(f"{'would write' if dry_run else 'wrote'} {path}")
        else:
            state = "the same text" if entry.status == "unchanged" else "other text"
            print(f"skipped {path} ({entry.origin}): it exists, with {state}; import never replaces a file",
                  file=sys.stderr)
    new = sum(entry.status == "new" for entry in plan.entries)
    print(f"{'would import' if dry_run else 'imported'} {new} of {len(plan.entries)} event(s) from "
          f"{display_path(plan.source)} ({plan.format}) as drafts" +
          ("; preview them with `python build.py serve --drafts`" if new and not dry_run else ""))
    if plan.entry_warnings:
        print(f"{plan.entry_warnings} warning(s) in the entries (a missing summary, a source without a URL...); "
              "`python build.py check` lists them", file=sys.stderr)
    if plan.settings_text:
        print("\ncontent/timeline.yaml was left as it is; the file also has:\n" + plan.settings_text, end="")


def _schema(args) -> int:
    from .schema import schema_json

    sys.stdout.write(schema_json())
    return EXIT_OK
