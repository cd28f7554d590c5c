-- Metric values as published (or derived from records), one row per metric, organisation and period.
CREATE TABLE IF NOT EXISTS metric_sources (
    source_id    INTEGER PRIMARY KEY,
    file         VARCHAR NOT NULL,          -- path as given when loaded
    file_name    VARCHAR NOT NULL,
    sha256       VARCHAR NOT NULL,
    publication  VARCHAR NOT NULL,          -- reader id, e.g. ae_monthly, rtt_full_extract, nof_dashboard
    loaded_at    TIMESTAMP NOT NULL DEFAULT current_timestamp,
    row_count    INTEGER NOT NULL DEFAULT 0
);
CREATE SEQUENCE IF NOT EXISTS metric_source_seq START 1;
CREATE TABLE IF NOT EXISTS metric_values (
    metric        VARCHAR NOT NULL,          -- catalogue id: ae_4hr, rtt_18wk, OF0013, OF1084, ...
    org_code      VARCHAR NOT NULL,          -- ODS code as published (trust, site, ICB, ...)
    period_start  DATE NOT NULL,
    period_end    DATE NOT NULL,             -- inclusive
    numerator     DOUBLE,
    denominator   DOUBLE,
    value         DOUBLE,                    -- percentages as percentages (79.1)
    provisional   BOOLEAN NOT NULL DEFAULT false,
    source_id     INTEGER NOT NULL,
    source_row    INTEGER,                   -- 1-based line or row in the source file/sheet
    extra         VARCHAR,                   -- JSON of reader-specific attributes (rank, peer group, ...)
    PRIMARY KEY (metric, org_code, period_start, period_end)
);
-- A revised publication replaces earlier values for the same metric, organisation and period.
CREATE TABLE IF NOT EXISTS metric_revisions (
    metric        VARCHAR NOT NULL,
    org_code      VARCHAR NOT NULL,
    period_start  DATE NOT NULL,
    period_end    DATE NOT NULL,
    old_value     DOUBLE,
    new_value     DOUBLE,
    old_source_id INTEGER NOT NULL,
    new_source_id INTEGER NOT NULL,
    revised_at    TIMESTAMP NOT NULL DEFAULT current_timestamp
);
