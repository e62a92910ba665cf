"""The Dagster assets: thin wiring of the pure functions to the inbox, warehouse and files.

received_files → staged_submissions → submission_history → commune_snapshot →
clean_rate_history / district_appendix → published_appendix, each partitioned by period.
"""

from pipelines.assets.common import PERIODS, PROGRAMME, reference_units
from pipelines.assets.ingest import received_files, staged_submissions
from pipelines.assets.marts import clean_rate_history, commune_snapshot, submission_history
from pipelines.assets.plausibility import plausibility_warnings
from pipelines.assets.publish import district_appendix, published_appendix, read_appendix

ASSETS = [
    received_files,
    staged_submissions,
    submission_history,
    commune_snapshot,
    clean_rate_history,
    district_appendix,
    published_appendix,
    plausibility_warnings,
]

__all__ = ["ASSETS", "PERIODS", "PROGRAMME", "read_appendix", "reference_units", *[a.key.path[-1] for a in ASSETS]]
