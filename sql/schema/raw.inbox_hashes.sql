-- The content hash of each inbox file as last read, with what identifies that version of
-- the file on disk: a run with nothing new stats the inbox instead of re-reading it.
-- A cache only: deleting its rows makes the next run read and hash every file again.
CREATE SCHEMA IF NOT EXISTS raw;

CREATE TABLE IF NOT EXISTS raw.inbox_hashes (
    inbox_path  VARCHAR PRIMARY KEY,   -- relative to the inbox, "YYYY-MM/name.xlsx"
    size_bytes  BIGINT NOT NULL,
    mtime_ns    BIGINT NOT NULL,
    ctime_ns    BIGINT NOT NULL,       -- changes on any write or rename; cannot be set back
    sha256      VARCHAR NOT NULL
);
