"""`python -m benchmarks --communes N --periods P --json OUT`: the scale benchmark.

`python -m benchmarks --national --periods P --json OUT`: the same on the real country
(data/reference/vn/: 3,321 communes in the timed period, the real crosswalk; P-1 periods
of history before it, those before 2025-07 in the units of then, 10,056 in 2024; benchmarks.national).

`python -m benchmarks --district [--repeat N] --json OUT`: the district run as cold
processes against the framework floor (benchmarks.district).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from benchmarks import national, without
from benchmarks.district import district_table, run_district
from benchmarks.runner import BENCH_DIR, run_benchmark, table, write_json
from pipelines.core.periods import is_period


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    p.add_argument("--communes", type=int, default=None, help="units in the synthetic country (default 300)")
    p.add_argument(
        "--national",
        action="store_true",
        help="the real country instead of a synthetic one: scope VN of data/reference/vn/, one file per "
        f"commune of the timed period (default {national.DEFAULT_PERIOD}), history in the units of each period "
        "(not with --communes)",
    )
    p.add_argument(
        "--period",
        help="the timed period, YYYY-MM (default: the last full month; with --national "
        f"{national.DEFAULT_PERIOD}, and it must come after {national.REORGANISED})",
    )
    p.add_argument("--periods", type=int, default=13, help="periods: P-1 of history plus the timed one (default 13)")
    p.add_argument("--json", dest="json_out", help="write the figures to this JSON file")
    p.add_argument("--seed", type=int, default=2024, help="generator seed (data is cached by seed)")
    p.add_argument("--bench-dir", default=str(BENCH_DIR), help="where generated data and runs go (default data/bench/)")
    p.add_argument(
        "--rebuild-periods",
        type=int,
        default=0,
        help="also run the last R periods' files from an empty warehouse, period after period",
    )
    p.add_argument(
        "--without",
        action="append",
        default=[],
        choices=sorted(without.PATHS),
        help="turn off one country-size path (repeatable) to see what it buys (benchmarks.without)",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    district = p.add_argument_group(
        "district mode (the other options but --json, --bench-dir and --quiet do not apply)"
    )
    district.add_argument(
        "--district",
        action="store_true",
        help="time `python -m pipelines run` on the July 2024 samples, and again with nothing "
        "new, against the framework floor, as cold processes",
    )
    district.add_argument("--repeat", type=int, default=5, help="timed processes per command (default 5; median)")
    district.add_argument("--warmup", type=int, default=1, help="untimed rounds first (default 1)")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.district:
        return district(args)
    if args.national and args.communes is not None:
        print("error: --communes does not apply with --national (the real country's units)", file=sys.stderr)
        return 2
    communes = 0 if args.national else (300 if args.communes is None else args.communes)
    if (not args.national and communes < 5) or args.periods < 2:
        print("error: need --communes ≥ 5 and --periods ≥ 2", file=sys.stderr)
        return 2
    if args.period is not None:
        if not is_period(args.period):
            print(f"error: --period must be YYYY-MM, got {args.period!r}", file=sys.stderr)
            return 2
        if args.national and national.check_period(args.period):
            print(f"error: {national.check_period(args.period)}", file=sys.stderr)
            return 2
    without.turn_off(args.without)
    result = run_benchmark(
        communes,
        args.periods,
        args.seed,
        Path(args.bench_dir),
        quiet=args.quiet,
        rebuild_periods=args.rebuild_periods,
        national_mode=args.national,
        period=args.period,
    )
    if args.without:
        result["without"] = args.without
    print(table(result))
    if args.json_out:
        write_json(result, Path(args.json_out))
        print(f"\nJSON: {args.json_out}")
    return 0


def district(args: argparse.Namespace) -> int:
    if args.repeat < 1 or args.warmup < 0:
        print("error: need --repeat ≥ 1 and --warmup ≥ 0", file=sys.stderr)
        return 2
    result = run_district(Path(args.bench_dir), repeat=args.repeat, warmup=args.warmup, quiet=args.quiet)
    print(district_table(result))
    if args.json_out:
        write_json(result, Path(args.json_out))
        print(f"\nJSON: {args.json_out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
