"""README.md promises two set-up commands; CI must run exactly the test one."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```sh\n(.+?)\n```", text, re.S)


def test_readme_opens_with_build_and_test_commands():
    build_command, test_command = _readme_commands()[:2]
    assert build_command.endswith("build.py")
    assert "pip install" in build_command and "pytest" in test_command


def test_ci_runs_exactly_the_readme_test_command():
    test_command = _readme_commands()[1]
    ci_lines = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert test_command in ci_lines


def test_ci_checks_the_shipped_content_strictly_before_the_tests():
    test_command = _readme_commands()[1]
    assert "build.py check --strict && " in test_command
    assert test_command.index("check --strict") < test_command.index("pytest")
