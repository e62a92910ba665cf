"""`python -m pipelines.bench --communes N --periods P --json OUT`: the scale benchmark."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pipelines.bench.runner import BENCH_DIR, run_benchmark, table, write_json


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m pipelines.bench", description=__doc__.splitlines()[0])
    p.add_argument("--communes", type=int, default=300, help="units in the synthetic country (default 300)")
    p.add_argument("--periods", type=int, default=13, help="periods: P-1 of history plus the timed one (default 13)")
    p.add_argument("--json", dest="json_out", help="write the figures to this JSON file")
    p.add_argument("--seed", type=int, default=2024, help="generator seed (data is cached by seed)")
    p.add_argument("--bench-dir", default=str(BENCH_DIR), help="where generated data and runs go (default data/bench/)")
    p.add_argument("--rebuild-periods", type=int, default=0,
                   help="also run the last R periods' files from an empty warehouse, period after period")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.communes < 5 or args.periods < 2:
        print("error: need --communes ≥ 5 and --periods ≥ 2", file=sys.stderr)
        return 2
    result = run_benchmark(args.communes, args.periods, args.seed, Path(args.bench_dir), quiet=args.quiet,
                           rebuild_periods=args.rebuild_periods)
    print(table(result))
    if args.json_out:
        write_json(result, Path(args.json_out))
        print(f"\nJSON: {args.json_out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
