"""Issue 18, docs and help: the README's docs command runs the gallery; the help
texts name every layout, each option's default; progress bars only on a terminal."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import RECIPE

ROOT = Path(__file__).resolve().parents[2]


def test_the_readme_docs_command_runs_the_gallery():
    readme = (ROOT / "README.md").read_text()
    target = re.search(r"`make -C docs ([\w-]+)`", readme).group(1)
    makefile = (ROOT / "docs" / "Makefile").read_text()
    recipe = re.search(rf"^{re.escape(target)}:.*?\n((?:\t.*\n)+)", makefile, re.M)
    assert recipe and "plot_gallery=1" in recipe.group(1), target


def test_cli_guide_has_the_new_user_session():
    guide = (ROOT / "docs" / "user_guide" / "cli.rst").read_text()
    for text in ("--speakers 1-12", "--cv holdout:13-16", "--config", "--set",
                 "sklearn-ser recipes", "--device", "history.csv"):
        assert text in guide, text


def test_every_option_help_gives_its_default():
    from sklearn_ser.cli import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if a.__class__.__name__ ==
               "_SubParsersAction")
    for name, command in sub.choices.items():
        for action in command._actions:
            if action.dest in ("help", "files") or action.required:
                continue
            assert "default" in (action.help or "") or action.dest in (
                "recipe", "data"), (name, action.dest, action.help)
    help_text = sub.choices["evaluate"].format_help()
    assert "RAVDESS" in help_text and "holdout:PATTERNS" in help_text


def test_loading_bar_on_a_terminal_only(cli, corpus, tmp_path, monkeypatch):
    import sys

    args = ("train", "--recipe", RECIPE, "--data", corpus / "manifest.csv",
            "--max-epochs", "1", "--out", tmp_path / "m.sser")
    monkeypatch.setattr(type(sys.stderr), "isatty", lambda self: True,
                        raising=False)
    result = cli(*args)
    assert result.code == 0, result.err
    assert "loading audio" in result.err and "file/s" in result.err
    assert "features: MFCC" in result.err and "utt/s" in result.err
    assert "training:" in result.err or "epoch" in result.err
    monkeypatch.undo()  # stderr is no terminal again: no bar, epoch lines only
    result = cli(*args)
    assert "loading audio" not in result.err and "epoch 1/1" in result.err
    assert "features:" not in result.err
