"""Command line: `python -m pipelines run|analyst-db|sql --data-dir DIR`.

`run` materialises the same Dagster assets the UI and the schedule use, in-process,
one partition (period) after another, then prints a short summary. `analyst-db` prints
the absolute path of the analysts' copy of the warehouse (its last line, a contract);
`sql` opens that copy read-only in a small SQL shell.
"""

from __future__ import annotations

import argparse
import errno
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import dagster as dg

from pipelines import scale
from pipelines.analysts.analyst_db import ensure_analyst_copy
from pipelines.analysts.sql_shell import run_shell
from pipelines.core.periods import is_period
from pipelines.core.scope import configure_data_dir
from pipelines.core.settings import DATA_DIR_ENV, DEFAULT_DATA_DIR, DataDir
from pipelines.ingest.inbox import inbox_periods
from pipelines.ingest.inbox_hashes import registered_periods
from pipelines.jobs import JOB_NAME
from pipelines.resources import Storage, holding_warehouse
from pipelines.warehouse import db
from pipelines.warehouse.rebuild import rebuild

# The command prints its own summary; Dagster's event log stays in the run history.
QUIET = {"loggers": {"console": {"config": {"log_level": "ERROR"}}}}


@dataclass
class PeriodOutcome:
    period: str
    success: bool
    reason: str = ""


def instance() -> dg.DagsterInstance:
    """The project's Dagster instance when DAGSTER_HOME is set (runs show in the UI)."""
    if os.environ.get("DAGSTER_HOME"):
        return dg.DagsterInstance.get()
    return dg.DagsterInstance.ephemeral()


def run_period(period: str, data_dir: Path, dagster_instance: dg.DagsterInstance) -> PeriodOutcome:
    from pipelines.definitions import build_definitions

    defs = build_definitions(str(data_dir))
    job = defs.resolve_job_def(JOB_NAME)
    # One connection for the run's steps, not one each; the objects held before the run
    # left out of the cycle collector's walks.
    with holding_warehouse(data_dir), scale.frozen_heap():
        result = job.execute_in_process(
            partition_key=period, instance=dagster_instance, raise_on_error=False, run_config=QUIET
        )
    if result.success:
        return PeriodOutcome(period, True)
    reasons = []
    for event in result.all_events:
        if event.is_step_failure:
            error = event.step_failure_data.error
            known = fault_line(error, data_dir)
            if known:
                return PeriodOutcome(period, False, known)
            reasons.append(f"{event.step_key}: {error.message.strip().splitlines()[0] if error else 'failed'}")
        elif event.event_type_value == "ASSET_CHECK_EVALUATION":
            evaluation = event.event_specific_data
            if not evaluation.passed:
                reasons.append(f"check {evaluation.check_name} failed")
    return PeriodOutcome(period, False, "; ".join(reasons) or "run failed")


def summary(data_dir: Path, periods: list[str]) -> list[str]:
    layout = DataDir.at(data_dir)
    lines = []
    with Storage(data_dir=str(data_dir)).connect() as con:  # waits while another run holds it
        for period in periods:
            stats = db.query(con, "select_period_summary", period=period).row(0, named=True)
            appendix = layout.period_published(period) / "appendix.csv"
            lines.append(
                f"{period}: {stats['files']} tệp nhận, {stats['files_accepted']} tệp chấp nhận, "
                f"{stats['files_rejected']} tệp bị từ chối, {stats['rejections']} lỗi; "
                f"{stats['units_reported']}/{stats['units_expected'] or '?'} đơn vị đã báo cáo; "
                f"phụ lục: {appendix if appendix.exists() else '(chưa xuất bản)'}"
            )
    return lines


def _registered_periods(data_dir: Path, paths: list[Path]) -> dict[Path, str]:
    """The periods of loose inbox files the warehouse holds unchanged (none before a first run)."""
    storage = Storage(data_dir=str(data_dir))
    if not storage.layout.warehouse.exists():
        return {}
    with storage.connect() as con:
        return registered_periods(con, storage.layout.inbox, paths)


def command_run(args: argparse.Namespace) -> int:
    from pipelines.partitions import PERIODS, period_bounds  # after the data directory's configuration is set

    data_dir = Path(args.data_dir).resolve()
    layout = DataDir.at(data_dir)
    if args.period:
        if not is_period(args.period):
            print(f"error: --period must be YYYY-MM, got {args.period!r}", file=sys.stderr)
            return 2
        periods = [args.period]
    else:
        periods = inbox_periods(layout.inbox, period_bounds(), lambda paths: _registered_periods(data_dir, paths))
    outside = [p for p in periods if not PERIODS.has_partition_key(p)]
    if args.period and outside:
        print(f"error: {args.period} is outside the reporting periods (data/config.toml [periods])", file=sys.stderr)
        return 2
    for period in outside:
        # A mistyped folder (say 2207-01) must not stop the other periods; its files stay in the inbox.
        print(
            f"Bỏ qua thư mục {layout.inbox / period}: {period} không phải kỳ báo cáo hợp lệ "
            "(chưa đến hoặc trước kỳ đầu tiên). Vui lòng chuyển các tệp sang thư mục đúng kỳ."
        )
    periods = [p for p in periods if p not in outside]
    if not periods:
        print(f"Không có kỳ báo cáo nào trong {layout.inbox} (cần thư mục dạng YYYY-MM).")
        return 0
    dagster_instance = instance()
    outcomes = [run_period(p, data_dir, dagster_instance) for p in periods]
    for line in summary(data_dir, periods):
        print(line)
    print(f"Danh sách tệp, dòng bị từ chối của mọi kỳ: {layout.published / 'rejections.csv'}")
    # Last, what an officer opens: the latest period published, its timeliness, then its files.
    published = [o.period for o in outcomes if o.success]
    if published:
        import datetime as dt

        import polars as pl

        from pipelines.core.periods import month_label
        from pipelines.quality.assets import timeliness_line

        latest = max(published)
        folder = layout.period_published(latest)
        completeness = pl.read_csv(folder / "completeness.csv", infer_schema=False)
        if completeness.height:
            deadline = dt.date.fromisoformat(completeness["deadline"][0])
            print(f"Tình hình nộp báo cáo kỳ {month_label(latest)}: {timeliness_line(completeness, deadline)}")
        print(f"Kỳ mới nhất ({month_label(latest)}), các tệp để mở:")
        print(f"- Phụ lục (Excel): {folder / f'phu-luc-{latest}.xlsx'}")
        print(f"- Phụ lục (Word): {folder / f'phu-luc-{latest}.docx'}")
        print(f"- Báo cáo (mở bằng trình duyệt): {folder / 'report.html'}")
        print(f"- Tệp, dòng bị từ chối: {folder / 'rejections.csv'}")
    failed = [o for o in outcomes if not o.success]
    if failed:
        print("error: " + " | ".join(f"{o.period}: {o.reason}" for o in failed), file=sys.stderr)
        return 1
    return 0


def fault_line(error, data_dir: Path) -> str | None:
    """One line saying what happened and what to do, for the faults a person can fix: a
    full disk, a damaged warehouse, a warehouse held too long. `error` is an exception or
    Dagster's record of one (its causes are looked through); None for anything else."""
    texts = []
    while error is not None:
        texts.append(f"{getattr(error, 'cls_name', type(error).__name__)}: {getattr(error, 'message', error)}")
        if isinstance(error, OSError) and error.errno == errno.ENOSPC:
            texts.append("No space left on device")
        error = (
            getattr(error, "cause", None) or getattr(error, "__cause__", None) or getattr(error, "__context__", None)
        )
    text = " ".join(texts)
    if "No space left on device" in text or "ENOSPC" in text:
        return f"Ổ đĩa đã đầy: hãy giải phóng dung lượng cho {data_dir} rồi chạy lại (không dữ liệu nào bị mất)."
    if "not a valid DuckDB database" in text or "Could not read enough bytes" in text or "Corrupt" in text:
        return (
            f"Kho dữ liệu {DataDir.at(data_dir).warehouse} bị hỏng: chạy "
            f"`python -m pipelines rebuild --data-dir {data_dir}` để dựng lại từ archive/ "
            "(tệp hỏng được giữ lại bên cạnh)."
        )
    if "Could not set lock" in text or "Conflicting lock" in text:
        return (
            "Kho dữ liệu đang bị một tiến trình khác giữ quá lâu: chờ lần chạy đó kết thúc "
            "(hoặc dừng nó), rồi chạy lại."
        )
    return None


def command_rebuild(args: argparse.Namespace) -> int:
    from pipelines.partitions import PERIODS, period_bounds  # after the data directory's configuration is set

    data_dir = Path(args.data_dir).resolve()
    layout = DataDir.at(data_dir)
    kept, registered = rebuild(layout)
    if kept is not None:
        print(f"Kho dữ liệu cũ được giữ lại tại {kept}.")
    periods = sorted(set(registered) | set(inbox_periods(layout.inbox, period_bounds())))
    periods = [p for p in periods if PERIODS.has_partition_key(p)]
    print(f"Dựng lại kho dữ liệu từ {layout.archive}: {len(periods)} kỳ.")
    dagster_instance = instance()
    outcomes = [run_period(p, data_dir, dagster_instance) for p in periods]
    for line in summary(data_dir, periods):
        print(line)
    failed = [o for o in outcomes if not o.success]
    if failed:
        print("error: " + " | ".join(f"{o.period}: {o.reason}" for o in failed), file=sys.stderr)
        return 1
    return 0


def _analyst_copy(data_dir: str) -> Path:
    storage = Storage(data_dir=str(Path(data_dir).resolve()))
    return ensure_analyst_copy(storage.connect, storage.layout)


def command_analyst_db(args: argparse.Namespace) -> int:
    path = _analyst_copy(args.data_dir)
    print("Bản sao kho dữ liệu cho phân tích (chỉ đọc):")
    print(path.resolve())
    return 0


def command_sql(args: argparse.Namespace) -> int:
    path = _analyst_copy(args.data_dir)
    return run_shell(path, args.command_text)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m pipelines", description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="ingest the inbox and publish each period's appendix")
    run.add_argument("--data-dir", default=str(DEFAULT_DATA_DIR), help="data directory (default: data/)")
    run.add_argument("--period", help="only this period (YYYY-MM); default: every inbox folder")
    run.add_argument(
        "--scope",
        help="the unit the data directory reports for, at its first run: a code of data/reference/vn/ "
        "(52, 550, 21952@2024-07-01, VN); default: data/config.toml's",
    )
    run.set_defaults(handler=command_run)
    analyst = sub.add_parser("analyst-db", help="print the path of the analysts' read-only copy of the warehouse")
    analyst.add_argument("--data-dir", default=str(DEFAULT_DATA_DIR), help="data directory (default: data/)")
    analyst.set_defaults(handler=command_analyst_db)
    shell = sub.add_parser("sql", help="an SQL shell on the analysts' copy, read-only")
    shell.add_argument("--data-dir", default=str(DEFAULT_DATA_DIR), help="data directory (default: data/)")
    shell.add_argument("-c", dest="command_text", help="run these statements and exit")
    shell.set_defaults(handler=command_sql)
    again = sub.add_parser("rebuild", help="rebuild a damaged or lost warehouse from archive/, then publish again")
    again.add_argument("--data-dir", default=str(DEFAULT_DATA_DIR), help="data directory (default: data/)")
    again.set_defaults(handler=command_rebuild)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    data_dir = Path(args.data_dir).resolve()
    refusal = configure_data_dir(data_dir, getattr(args, "scope", None))
    if refusal:
        print(refusal, file=sys.stderr)
        return 2
    previous = os.environ.get(DATA_DIR_ENV)
    os.environ[DATA_DIR_ENV] = str(data_dir)  # its configuration, for this command and the assets it runs
    try:
        return args.handler(args)
    except Exception as error:
        line = fault_line(error, data_dir)
        if line is None:
            raise
        print(line, file=sys.stderr)
        return 1
    finally:
        if previous is None:
            os.environ.pop(DATA_DIR_ENV, None)
        else:
            os.environ[DATA_DIR_ENV] = previous
