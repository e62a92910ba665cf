-- What a derived output of a period was last made from, so that a run with nothing new
-- can tell it is still current and skip remaking it (written by the clean_rate_history
-- and published_appendix assets).
CREATE SCHEMA IF NOT EXISTS pipeline;

CREATE TABLE IF NOT EXISTS pipeline.output_records (
    output          VARCHAR NOT NULL,   -- the asset: clean_rate_history | published_appendix
    period          VARCHAR NOT NULL,
    inputs_digest   VARCHAR NOT NULL,   -- sha256 of everything the output is made from, code included
    outputs_state   VARCHAR NOT NULL,   -- JSON: the output as made (a table's fingerprint; each file's size and mtime)
    metadata        VARCHAR NOT NULL,   -- JSON: the asset's metadata then, reported again when skipped
    PRIMARY KEY (output, period)
);
