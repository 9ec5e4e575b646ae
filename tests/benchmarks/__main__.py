"""Run the benchmarks: ``python -m tests.benchmarks [NAME ...] [--data ../shared/data]``.

Each ``bench_<name>.py`` runs in its own process (so peak-RSS figures are its own) and prints
its figures. Nothing here asserts on time. With no NAME, all benchmarks run in turn.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str] | None = None) -> int:
    names = sorted(p.stem[len("bench_") :] for p in HERE.glob("bench_*.py"))
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks", description=__doc__)
    parser.add_argument(
        "names", nargs="*", help=f"benchmarks to run (default all): {', '.join(names)}"
    )
    parser.add_argument(
        "--data", default=None, help="the shared data folder (exported as SYNLEAF_SHARED_DATA)"
    )
    args = parser.parse_args(argv)
    env = dict(os.environ)
    if args.data:
        env["SYNLEAF_SHARED_DATA"] = str(Path(args.data).resolve())
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    failed = []
    for name in args.names or names:
        if name not in names:
            parser.error(f"unknown benchmark {name!r}; have {names}")
        print(f"\n=== bench_{name} ===", flush=True)
        t0 = time.perf_counter()
        rc = subprocess.call(
            [sys.executable, "-m", f"tests.benchmarks.bench_{name}"], env=env, cwd=HERE.parents[1]
        )
        print(f"=== bench_{name}: exit {rc}, {time.perf_counter() - t0:.1f} s ===", flush=True)
        if rc:
            failed.append(name)
    if failed:
        print(f"failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
