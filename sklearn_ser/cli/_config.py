"""``--set name=value``, ``--config FILE``, ``--device`` and the effective
configuration a run records beside its results (so that it can be repeated).

``--config`` reads TOML (:mod:`tomllib`, Python 3.11+; ``tomli`` where installed on
older Pythons) or JSON with the keys of :data:`CONFIG_KEYS`; options given on the
command line win over the file. A report JSON written by ``evaluate`` and the
``<model>.run.json`` written by ``train`` hold that configuration under ``"cli"``
and are accepted as ``--config`` files themselves.
"""

from __future__ import annotations

import argparse
import ast
import difflib
import json
from pathlib import Path

from ._common import EPOCH_PARAMS, CLIError

#: Keys of a ``--config`` file -> the option (``dest``) each one sets.
CONFIG_KEYS = {
    "recipe": "recipe",
    "data": "data",
    "cv": "cv",
    "split": "cv",
    "protocol": "protocol",
    "seeds": "seeds",
    "random_state": "random_state",
    "max_epochs": "max_epochs",
    "device": "device",
    "speakers": "speakers",
    "exclude_speakers": "exclude_speakers",
    "set": "set",
    "out": "out",
}

#: Keys the outputs record for the reader, skipped when read back as a config.
_RECORDED_ONLY = ("command", "n_utterances", "speakers_used")


def parse_set(text: str) -> tuple[str, object]:
    """``name=value`` (argparse type): the value as a Python literal, else a string.

    >>> parse_set("clf__C=10"), parse_set("clf__kernel=rbf")
    (('clf__C', 10), ('clf__kernel', 'rbf'))
    """
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError(
            f"invalid --set {text!r}: expected name=value (a get_params() key of the "
            "recipe's pipeline, e.g. clf__max_epochs=5)"
        )
    return name.strip(), literal(value.strip())


def literal(value):
    """``ast.literal_eval(value)`` for a string, falling back to the string."""
    if not isinstance(value, str):
        return value
    try:
        return ast.literal_eval(value)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return value


def _read(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() == ".json":
        doc = json.loads(text)
        if isinstance(doc, dict) and isinstance(doc.get("cli"), dict):
            doc = doc["cli"]  # a report or a <model>.run.json: its configuration
        return doc
    try:
        import tomllib
    except ModuleNotFoundError:  # pragma: no cover - Python < 3.11
        try:
            import tomli as tomllib
        except ModuleNotFoundError:
            raise CLIError(
                f"--config {str(path)!r}: reading TOML needs Python 3.11+ or the "
                "'tomli' package; or give a .json file"
            ) from None
    return tomllib.loads(text)


def apply_config_file(args: argparse.Namespace, parser_defaults: dict) -> None:
    """Fill ``args`` from ``--config FILE`` where the command line left an option
    at its default (the command line wins)."""
    source = getattr(args, "config", None)
    if source is None:
        return
    path = Path(source).expanduser()
    try:
        doc = _read(path)
    except OSError as exc:
        raise CLIError(f"--config {source!r}: {exc.strerror or exc}") from None
    except ValueError as exc:  # JSON and TOML decode errors
        raise CLIError(f"--config {source!r}: {exc}") from None
    if not isinstance(doc, dict):
        raise CLIError(f"--config {source!r}: expected a table of options")
    from ._select import cv_spec

    for key, value in doc.items():
        if key in _RECORDED_ONLY:
            continue
        dest = CONFIG_KEYS.get(key)
        if dest is None:
            close = difflib.get_close_matches(key, CONFIG_KEYS, n=3)
            raise CLIError(
                f"--config {source!r}: unknown key {key!r}"
                + (f" (did you mean {', '.join(close)}?)" if close else "")
                + f"; keys: {', '.join(CONFIG_KEYS)}"
            )
        if not hasattr(args, dest):
            continue  # e.g. cv in a file given to train
        if dest == "set":
            if not isinstance(value, dict):
                raise CLIError(f"--config {source!r}: 'set' must be a table")
            given = dict(args.set or [])
            args.set = [*((k, literal(v)) for k, v in value.items() if k not in given),
                        *(args.set or [])]
            continue
        if getattr(args, dest) != parser_defaults.get(dest):
            continue
        if dest == "cv" and value is not None:
            try:
                value = cv_spec(str(value))
            except argparse.ArgumentTypeError as exc:
                raise CLIError(f"--config {source!r}: {exc}") from None
        elif dest == "seeds" and isinstance(value, int | str):
            value = seeds_spec(str(value))
        setattr(args, dest, value)


def seeds_spec(text: str) -> list[int]:
    """``--seeds 0,1,2`` or ``--seeds 3`` (three seeds: 0, 1, 2) -> a list of seeds.

    >>> seeds_spec("0,1,5"), seeds_spec("3")
    ([0, 1, 5], [0, 1, 2])
    """
    parts = [p.strip() for p in str(text).split(",") if p.strip()]
    try:
        values = [int(p) for p in parts]
    except ValueError:
        values = []
    if not values:
        raise argparse.ArgumentTypeError(
            f"invalid --seeds {text!r}: expected a comma list of integers (0,1,2) or "
            "a count N (seeds 0 .. N-1)"
        )
    if len(values) == 1 and "," not in str(text):
        if values[0] < 1:
            raise argparse.ArgumentTypeError(f"invalid --seeds {text!r}: count < 1")
        return list(range(values[0]))
    return values


def apply_overrides(pipe, args: argparse.Namespace):
    """``--max-epochs``, ``--device`` and ``--set`` on the recipe's pipeline."""
    params = pipe.get_params(deep=True)
    if getattr(args, "max_epochs", None) is not None:
        keys = [k for k in params if k.rsplit("__", 1)[-1] in EPOCH_PARAMS]
        pipe.set_params(**dict.fromkeys(keys, args.max_epochs))
    device = getattr(args, "device", None)
    if device is not None:
        keys = [k for k in params if k.rsplit("__", 1)[-1] == "device"]
        if device == "cuda":
            import torch

            if not torch.cuda.is_available():
                raise CLIError("--device cuda: torch finds no CUDA device here; use "
                               "--device auto or cpu")
        pipe.set_params(**dict.fromkeys(keys, device))
    overrides = dict(getattr(args, "set", None) or [])
    for key in overrides:
        if key not in params and not _skorch_routed(params, key):
            close = difflib.get_close_matches(key, params, n=5, cutoff=0.5)
            raise CLIError(
                f"--set {key}: not a parameter of recipe {args.recipe!r}"
                + (f"; close: {', '.join(close)}" if close else "")
                + " (sklearn-ser recipes --params NAME lists them)"
            )
    try:
        pipe.set_params(**overrides)
    except (ValueError, TypeError) as exc:
        raise CLIError(f"--set: {' '.join(str(exc).split())}") from None
    return pipe


def _skorch_routed(params: dict, key: str) -> bool:
    """``clf__module__pooling``: a parameter skorch routes to its module, criterion,
    optimizer, iterators or callbacks (accepted by ``set_params`` though not
    listed by ``get_params`` until set)."""
    parts = key.split("__")
    for i in range(1, len(parts) - 1):
        owner = params.get("__".join(parts[:i]))
        if not hasattr(owner, "prefixes_"):  # not a skorch net
            continue
        if parts[i] in (*owner.prefixes_, "module", "criterion", "optimizer"):
            return True
    return False


def effective_config(args: argparse.Namespace, **extra) -> dict:
    """What the run used, under the keys of a ``--config`` file (JSON-safe)."""
    from sklearn_ser.evaluation._report import json_safe

    out = {"command": args.command}
    for key in ("recipe", "data", "speakers", "exclude_speakers", "random_state",
                "max_epochs", "device", "out"):
        if getattr(args, key, None) is not None:
            value = getattr(args, key)
            out[key] = str(value) if key in ("data", "out") else value
    out["set"] = {k: json_safe(v) for k, v in (getattr(args, "set", None) or [])}
    out.update(extra)
    return out
