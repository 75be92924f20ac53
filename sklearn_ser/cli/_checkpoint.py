"""``train --checkpoint-dir D``: save the network every epoch, resume from D.

skorch's own callbacks do the work: :class:`skorch.callbacks.Checkpoint` (``monitor=
None``: every epoch; weights, optimiser, criterion and history) and
:class:`skorch.callbacks.LoadInitState` (loads them when training begins, when D
holds a checkpoint). A rerun trains the epochs the checkpoint's history lacks.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from ._common import CLIError, final_step, probe_writable

_NAMES = ("cli_checkpoint", "cli_resume")
HISTORY = "history.json"


def _final_net(pipe):
    final = final_step(pipe)
    skorch = sys.modules.get("skorch")
    return final if skorch is not None and isinstance(final, skorch.NeuralNet) else None


def done_epochs(folder: Path) -> int:
    """Epochs recorded in the checkpoint's history (0 without a checkpoint)."""
    try:
        history = json.loads((folder / HISTORY).read_text())
    except FileNotFoundError:
        return 0
    except (OSError, ValueError) as exc:
        raise CLIError(
            f"--checkpoint-dir: cannot read {str(folder / HISTORY)!r} ({exc}); "
            "remove the folder to start afresh"
        ) from None
    if not isinstance(history, list):
        raise CLIError(f"--checkpoint-dir: {str(folder / HISTORY)!r} is not a history")
    return len(history)


def attach_checkpoint(pipe, folder: str, *, recipe: str) -> int:
    """Add the checkpoint/resume callbacks to the recipe's network; returns the
    epochs already done (0 for a fresh start)."""
    from skorch.callbacks import Checkpoint, LoadInitState

    net = _final_net(pipe)
    if net is None:
        raise CLIError(
            f"--checkpoint-dir: recipe {recipe!r} trains no network to checkpoint"
        )
    path = Path(folder).expanduser()
    if path.exists() and not path.is_dir():
        raise CLIError(f"--checkpoint-dir {folder!r} exists and is not a folder")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CLIError(f"--checkpoint-dir {folder!r}: {exc.strerror}") from None
    probe_writable(path, what=f"--checkpoint-dir {folder!r}")
    done = done_epochs(path)
    net._cli_max_epochs = net.max_epochs  # put back by detach_checkpoint
    if done:
        # train what the checkpoint lacks (at least one epoch: fit must run)
        net.set_params(max_epochs=max(int(net.max_epochs) - done, 1))
    checkpoint = Checkpoint(monitor=None, dirname=str(path), f_params="params.pt",
                            f_optimizer="optimizer.pt", f_criterion="criterion.pt",
                            f_history=HISTORY, f_pickle=None)
    own = [(_NAMES[0], checkpoint), (_NAMES[1], LoadInitState(checkpoint))]
    net.callbacks = list(net.callbacks or []) + own
    return done


def detach_checkpoint(pipe) -> None:
    """Remove the callbacks again (the model file stores parameters, not callbacks)."""
    net = _final_net(pipe)
    if net is None or not isinstance(net.callbacks, list):
        return
    if "_cli_max_epochs" in vars(net):
        net.set_params(max_epochs=vars(net).pop("_cli_max_epochs"))
    kept = [c for c in net.callbacks if not (isinstance(c, tuple) and c[0] in _NAMES)]
    net.callbacks = kept or None
