-- Every cell of every sheet read from a file, as text, extra columns included.
CREATE SCHEMA IF NOT EXISTS raw;

CREATE TABLE IF NOT EXISTS raw.sheet_rows (
    sha256      VARCHAR NOT NULL,
    sheet       VARCHAR NOT NULL,
    row_number  BIGINT NOT NULL,
    cells       VARCHAR[]
);
