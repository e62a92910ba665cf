import datetime as dt

import polars as pl

from pipelines.warehouse.history import TOTAL_NAME, clean_rate_history, commune_snapshot, submission_history

T0 = dt.datetime(2024, 7, 1, 8)


def rows(*items):
    return pl.DataFrame(
        [
            {
                "period": p,
                "unit_code": u,
                "sha256": s,
                "original_name": f"{s}.xlsx",
                "received_at": T0 + dt.timedelta(hours=h),
                "row_number": 2,
                "total_children": t,
                "updated": up,
                "cleaned": c,
            }
            for p, u, s, h, t, up, c in items
        ]
    )


def test_a_correction_supersedes_and_history_keeps_both():
    history = submission_history(
        rows(
            ("2024-07", "A", "late", 5, 100, 90, 80),
            ("2024-07", "A", "early", 1, 100, 90, 70),
            ("2024-07", "B", "only", 2, 50, 40, 30),
        )
    )
    a = history.filter(pl.col("unit_code") == "A").sort("version")
    assert a["sha256"].to_list() == ["early", "late"]
    assert a["is_current"].to_list() == [False, True]
    assert a["superseded_at"].to_list() == [T0 + dt.timedelta(hours=5), None]
    snapshot = commune_snapshot(history)
    assert snapshot.select("unit_code", "cleaned", "not_updated", "not_cleaned", "clean_rate_pct").rows() == [
        ("A", 80, 10, 10, 80.0),
        ("B", 30, 10, 10, 60.0),
    ]


def test_clean_rate_history_sums_counts_for_the_scope():
    snapshots = pl.DataFrame(
        {
            "period": ["2024-06", "2024-06", "2024-07", "2024-07", "2024-08"],
            "unit_code": ["A", "B", "A", "B", "A"],
            "total_children": [3, 1, 3, 1, 9],
            "updated": [2, 1, 3, 1, 9],
            "cleaned": [1, 1, 2, 1, 9],
        }
    )
    units = pl.DataFrame({"unit_code": ["A", "B"], "unit_name": ["Ấ", "Bê"], "appendix_order": [1, 2]})
    history = clean_rate_history(snapshots, units, "2024-07")
    assert history["period"].unique().sort().to_list() == ["2024-06", "2024-07"]
    scope = history.filter(pl.col("unit_name") == TOTAL_NAME).sort("period")
    # (1 + 1) / (3 + 1) = 50 %, not the mean of 33.33 % and 100 %.
    assert scope.select("cleaned", "total_children", "clean_rate_pct").rows() == [(2, 4, 50.0), (3, 4, 75.0)]
