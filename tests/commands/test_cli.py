"""The command line as editors and CI run it: exit codes, messages, and nothing lost on failure."""
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "content"
BAD_ENTRY = 'title: no\ndate: "2021-02-30"\nsources:\n  - name: EFE\n    url: "javascript:alert(1)"\n'


def run(*args: str, cwd: Path, module: bool = False) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "timeline", *args] if module else [sys.executable, str(ROOT / "build.py"), *args]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture
def project(tmp_path) -> Path:
    """A working folder holding a copy of the shipped content, as an editor's checkout would."""
    shutil.copytree(SHIPPED, tmp_path / "content")
    return tmp_path


def break_content(project: Path) -> None:
    (project / "content" / "entries" / "zaranj-falls.yaml").write_text(BAD_ENTRY, encoding="utf-8")


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def assert_no_traceback(result: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in result.stderr + result.stdout


def test_bare_build_builds_into_site(project):
    result = run(cwd=project)
    assert result.returncode == 0, result.stderr
    assert (project / "site" / "index.html").is_file()
    assert "built 11 entries into site/" in result.stdout


def test_build_command_with_folders(project):
    result = run("build", "--content", "content", "--output", "public", cwd=project)
    assert result.returncode == 0, result.stderr
    assert (project / "public" / "index.html").is_file()
    assert not (project / "site").exists()


def test_build_and_bare_build_write_the_same_site(project):
    assert run("--output", "one", cwd=project).returncode == 0
    assert run("build", "--output", "two", cwd=project).returncode == 0
    assert snapshot_bytes(project / "one") == snapshot_bytes(project / "two")


def snapshot_bytes(folder: Path) -> dict[str, bytes]:
    return {name: data for name, (data, _) in snapshot(folder).items()}


def test_two_builds_are_byte_identical(project):
    assert run("--output", "first", cwd=project).returncode == 0
    assert run("--output", "second", cwd=project).returncode == 0
    assert snapshot_bytes(project / "first") == snapshot_bytes(project / "second")


def test_check_passes_on_the_shipped_content(project):
    result = run("check", cwd=project)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok: 11 entries"
    assert not (project / "site").exists()


def test_python_dash_m_timeline(project):
    result = run("check", "--content", "content", cwd=project, module=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok: 11 entries"


def test_check_reports_content_errors_with_exit_1(project):
    break_content(project)
    result = run("check", cwd=project)
    assert result.returncode == 1
    assert_no_traceback(result)
    errors = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert errors == [
        'content/entries/zaranj-falls.yaml:1:8: error: title: expected text, but YAML reads no as a boolean; '
        'put it in quotes: title: "no"',
        'content/entries/zaranj-falls.yaml:2:7: error: date: "2021-02-30" is not a real date '
        "(February 2021 has 28 days)",
        'content/entries/zaranj-falls.yaml:5:10: error: sources[1].url: "javascript:alert(1)" is not an http or '
        "https URL; write a full address such as https://example.org/page",
    ]
    assert "3 error(s)" in result.stderr


def test_build_with_errors_exits_1_and_leaves_the_output_folder_untouched(project):
    assert run(cwd=project).returncode == 0
    before = snapshot(project / "site")
    siblings = sorted(p.name for p in project.iterdir())
    break_content(project)
    result = run(cwd=project)
    assert result.returncode == 1
    assert_no_traceback(result)
    assert "nothing was written to site" in result.stderr
    assert snapshot(project / "site") == before
    assert sorted(p.name for p in project.iterdir()) == siblings


def test_build_with_errors_creates_no_output_folder(project):
    break_content(project)
    assert run("build", "--output", "fresh", cwd=project).returncode == 1
    assert not (project / "fresh").exists()


@pytest.mark.parametrize("content", [
    {"timeline.yaml": b"title: [\n"},
    {"timeline.yaml": b"\xff\xfe t\x00i\x00"},
    {"entries/zaranj-falls.yaml": b"- a\n- b\n"},
    {"entries/zaranj-falls.yaml": b"a: &a [x, x]\nb: *b\n"},
    {"entries/zaranj-falls.yaml": b"title: " + b"[" * 5000},
    {"entries/Zaranj Falls.yaml": b""},
])
def test_bad_content_never_gives_a_traceback(project, content):
    for name, data in content.items():
        (project / "content" / name).write_bytes(data)
    for command in (["check"], ["build"]):
        result = run(*command, cwd=project)
        assert result.returncode == 1, result.stderr
        assert_no_traceback(result)
        assert ": error: " in result.stderr


def test_missing_content_folder(tmp_path):
    result = run("check", "--content", "nowhere", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == (
        "nowhere: error: is not a folder; pass --content DIR with the folder that holds timeline.yaml and entries/"
    )


@pytest.mark.parametrize("args", [["frobnicate"], ["--no-such-flag"], ["build", "--output"], ["check", "extra"]])
def test_usage_errors_exit_2(project, args):
    result = run(*args, cwd=project)
    assert result.returncode == 2
    assert "usage:" in result.stderr
    assert_no_traceback(result)


def test_help_exits_0(project):
    result = run("--help", cwd=project)
    assert result.returncode == 0
    assert "check" in result.stdout and "build" in result.stdout


@pytest.mark.parametrize("workers", [False, True], ids=["here", "in-workers"])
def test_a_broken_template_is_reported_with_its_file_and_line(tmp_path, capsys, monkeypatch, workers):
    import shutil

    from support import TEMPLATES, run_cli
    from timeline.speed import workers as pool

    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    page = templates / "entry.html"
    lines = page.read_text(encoding="utf-8").splitlines(keepends=True)
    number = next(n for n, line in enumerate(lines, 1) if "{% block main %}" in line)
    lines[number - 1] = lines[number - 1].replace("{% block main %}", "{% block main %}{{ entry.no_such_field }}")
    page.write_text("".join(lines), encoding="utf-8")
    if workers:
        monkeypatch.setattr(pool, "PARALLEL_FROM", 5)
        monkeypatch.setattr("timeline.speed.workers.threading.active_count", lambda: 1)
    code = run_cli("build", "--templates", templates, "--output", tmp_path / "site", "--no-cache")
    err = capsys.readouterr().err
    assert code == 1 and "Traceback" not in err
    assert f"entry.html:{number}: error: template error: " in err and "no_such_field" in err
    assert not (tmp_path / "site").exists()


# --- serve's address, and Ctrl-C -------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """serve with arguments that stop it before it serves: it must not build either."""
    result = run("serve", *args, cwd=cwd)
    assert not (cwd / "site").exists()
    assert_no_traceback(result)
    return result


@pytest.mark.parametrize("port", ["-1", "0", "65536", "99999", "abc", "80.5", "8_000", "", "\u0668\u0660"])
def test_serve_refuses_a_port_that_is_none(project, port):
    result = serve("--port", port, cwd=project)
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == (f'timeline serve: error: argument --port: "{port}" is not a port; '
                                              "give a number from 1 to 65535, such as 8000")


@pytest.mark.parametrize("option, value", [("--host", ""), ("--host", "127.0.0.1 8000"), ("--host", "http://x/"),
                                           ("--allow-host", "preview.example.test:8000"), ("--allow-host", ""),
                                           ("--allow-host", "*.example.test"), ("--allow-host", "a..b")])
def test_serve_refuses_what_is_no_address(project, option, value):
    result = serve(option, value, cwd=project)
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1].startswith(f"timeline serve: error: argument {option}: \"{value}\" is not")


@pytest.mark.parametrize("host", ["999.1.1.1", "no-such-host.invalid", "192.0.2.1"])
def test_serve_on_an_address_that_is_not_this_machine_s_exits_2_before_building(project, host):
    port = free_port()
    result = serve("--host", host, "--port", str(port), cwd=project)
    assert result.returncode == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"error: cannot listen on {host}:{port} (")
    assert line.endswith("give --host an address of this machine, such as 127.0.0.1")


INTERRUPTING = ("import os, signal, timeline.load, timeline.commands.new\n"
                "def ctrl_c(*args, **kwargs):\n"
                "    os.kill(os.getpid(), signal.SIGINT)\n"
                "timeline.load.load_content = timeline.commands.new.load_settings = ctrl_c\n"
                "from timeline.commands.cli import run\n"
                "run()\n")


@pytest.mark.parametrize("command", [["build"], ["check"], ["check", "--links"], ["new", "Kunduz falls"],
                                     ["serve", "--port", "PORT"], ["build", "--no-cache"]])
def test_ctrl_c_says_one_line_and_exits_130(project, command):
    """A real SIGINT, in the middle of each command's work (where it reads the content)."""
    command = [str(free_port()) if arg == "PORT" else arg for arg in command]
    result = subprocess.run([sys.executable, "-c", INTERRUPTING, *command], cwd=project, capture_output=True,
                            text=True, timeout=300, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 130
    assert result.stderr.splitlines()[-1] == "interrupted; the published site was left as it was"
    assert_no_traceback(result)
    assert not (project / "site").exists()
    assert sorted(p.name for p in (project / "content" / "entries").iterdir()) == sorted(
        p.name for p in (SHIPPED / "entries").iterdir())
