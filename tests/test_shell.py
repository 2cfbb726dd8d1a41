"""The shell around leadcard: its version, and completion that costs other commands nothing."""

import os
import subprocess
import sys
from importlib.metadata import version

import pytest

from conftest import run_process


def test_version(lc):
    shown = lc.ok("--version")
    assert shown.stdout == f"leadcard {version('leadcard')}\n"


@pytest.mark.parametrize("shell, marker", [("bash", "complete -o default -F"), ("zsh", "compdef"),
                                           ("fish", "complete --command leadcard")])
def test_completion_prints_a_script_for_each_shell(lc, shell, marker):
    script = lc.ok("completion", shell).stdout
    assert marker in script and "_LEADCARD_COMPLETE=complete_" in script


def test_completion_for_an_unknown_shell_is_bad_input(lc):
    refused = lc("completion", "tcsh")
    assert (refused.exit_code, refused.stdout) == (2, "")
    assert "bash, zsh, fish" in refused.stderr


@pytest.mark.parametrize("words, cword, expected", [
    ("leadcard rep", "1", ["report"]),
    ("leadcard report w", "2", ["weekly"]),
    ("leadcard --db x.db aud", "3", ["audit"]),
    ("leadcard log 张三 --chan", "3", ["--channel"]),
])
def test_the_shell_completes_commands_and_options(tmp_path, words, cword, expected):
    done = run_process(env={"_LEADCARD_COMPLETE": "complete_bash", "COMP_WORDS": words, "COMP_CWORD": cword},
                       cwd=tmp_path)
    assert (done.returncode, done.stdout.split()) == (0, expected)


def test_completion_costs_the_morning_list_nothing(tmp_path):
    probe = ("import sys; sys.argv = ['leadcard', 'today']\n"
             "from leadcard.cli import main\n"
             "try:\n    main()\nexcept SystemExit:\n    pass\n"
             "print(sorted(m for m in sys.modules if 'completion' in m))")
    env = {**os.environ, "LEADCARD_DB": str(tmp_path / "s.db")}
    subprocess.run([sys.executable, "-m", "leadcard", "--db", str(tmp_path / "s.db"), "init"], env=env, check=True,
                   capture_output=True)
    done = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "[]"
