"""Entry point of the ``synleaf`` command.

Each command group lives in its own module exposing ``register(subparsers)``; the
module's handlers return an exit code. :class:`~synleaf_desktop.errors.InputError`
and other :class:`~synleaf_desktop.errors.SynleafError` (and any :class:`OSError`: read-only
folder, disk full, permission denied) are printed as one clear line on stderr with exit code 2,
except an unresolvable query gene name (``UnresolvedGeneError.exit_code``): 1, in every command.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from .. import __version__
from ..errors import CancelledError, SynleafError, storage_error

#: command-group modules, in the order they appear in ``--help``
GROUPS = (
    "score_cmd",
    "models_cmd",
    "data_cmd",
    "resources_cmd",
    "train_cmd",
    "bundle_cmd",
    "export_cmd",
    "inspect_cmd",
    "library_cmd",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="synleaf", description="SynLeaF Desktop: synthetic-lethality prediction."
    )
    parser.add_argument("--version", action="version", version=f"synleaf {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in GROUPS:
        try:
            mod = importlib.import_module(f"{__package__}.{name}")
        except ModuleNotFoundError as exc:  # a group not written yet
            if exc.name == f"{__package__}.{name}":
                continue
            raise
        mod.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 1
    try:
        return int(args.func(args) or 0)
    except CancelledError:
        print("cancelled", file=sys.stderr)
        return 130
    except SynleafError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return int(getattr(exc, "exit_code", 2))  # 1: a query gene name could not be resolved
    except BrokenPipeError:  # e.g. `synleaf score ... | head`: the reader went away
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as exc:  # read-only folder, disk full, permission denied: one line, no traceback
        print(f"error: {storage_error(exc, None, 'the command', unchanged=False)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
