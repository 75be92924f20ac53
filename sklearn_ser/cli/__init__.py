"""The ``sklearn-ser`` command line.

``sklearn-ser demo`` runs a speaker-grouped cross-validation on the embedded
synthetic corpus and prints a WA/UA table; ``evaluate``, ``train`` and ``predict``
run the papers' recipes (:mod:`sklearn_ser.recipes`, whose registry gives the
recipe names) on a corpus. Errors are printed as one line on stderr with a
non-zero exit status, not as a traceback.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
from collections.abc import Sequence

from ._common import CLIError
from ._parser import build_parser

__all__ = ["main", "build_parser"]


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``sklearn-ser`` console script.

    Parameters
    ----------
    argv : sequence of str or None, default=None
        The arguments after the program name; None reads ``sys.argv[1:]``.

    Returns
    -------
    status : int
        0 on success, 1 on an error the user can fix (printed as one line on
        stderr), 2 on a usage error or when no command is given, 130 when
        interrupted.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    with _latched_sigint():
        return _run(args)


@contextlib.contextmanager
def _latched_sigint():
    """Ctrl-C raises KeyboardInterrupt as usual and also asks every training loop to
    stop at its next batch, so that an interrupt swallowed on its way (in an import,
    a compile) still ends the training. Only in the main thread, and only where
    SIGINT has Python's own handler."""
    from sklearn_ser.models._interrupt import clear_interrupt, request_interrupt

    if (threading.current_thread() is not threading.main_thread()
            or signal.getsignal(signal.SIGINT) is not signal.default_int_handler):
        yield
        return

    def handler(signum, frame):
        request_interrupt()
        signal.default_int_handler(signum, frame)

    clear_interrupt()
    if hasattr(signal, "pthread_sigmask"):  # a SIGINT blocked by the parent is lost
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    signal.signal(signal.SIGINT, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)
        clear_interrupt()


def _run(args) -> int:
    try:
        if hasattr(args, "recipe"):
            from ._config import apply_config_file

            apply_config_file(args, {"random_state": 0})
            for option in ("recipe", "data"):
                if getattr(args, option, None) is None:
                    raise CLIError(
                        f"--{option} is required (on the command line or in --config)"
                    )
        return int(args.func(args) or 0)
    except (CLIError, ValueError, TypeError, OSError, RuntimeError) as exc:
        # one line: scikit-learn's and torch's messages may span several
        message = " ".join(str(exc).split())
        print(f"sklearn-ser {args.command}: error: {message}", file=sys.stderr)
        return 1
    except MemoryError as exc:
        detail = " ".join(str(exc).split())
        print(f"sklearn-ser {args.command}: error: out of memory"
              f"{': ' + detail if detail else ''}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("sklearn-ser: interrupted", file=sys.stderr)
        return 130
