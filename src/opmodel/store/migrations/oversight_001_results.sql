-- Oversight results: one run per framework, policy, period and set of inputs (reproducible by hash).
CREATE TABLE IF NOT EXISTS oversight_runs (
    run_id          VARCHAR PRIMARY KEY,      -- sha256 of framework, policy hash, period and inputs hash (16 hex)
    framework       VARCHAR NOT NULL,         -- nof-2025-26
    policy_version  VARCHAR NOT NULL,
    policy_sha256   VARCHAR NOT NULL,
    period          VARCHAR NOT NULL,         -- 2025-26-Q3
    inputs_sha256   VARCHAR NOT NULL,         -- every input value, rank and peer group
    source_hashes   VARCHAR NOT NULL,         -- JSON list of the sha256 of every source file read
    segment_source  VARCHAR NOT NULL,         -- computed | policy | published | computed_partial_pool | thresholds
    cutoffs         VARCHAR NOT NULL,         -- JSON
    warnings        VARCHAR NOT NULL,         -- JSON list
    created_at      TIMESTAMP NOT NULL DEFAULT current_timestamp
);
CREATE TABLE IF NOT EXISTS oversight_results (
    run_id              VARCHAR NOT NULL,
    org_code            VARCHAR NOT NULL,
    peer_group          VARCHAR NOT NULL,
    period              VARCHAR NOT NULL,
    status              VARCHAR NOT NULL,     -- segmented | insufficient_data
    average_score       DOUBLE,
    metric_count        INTEGER NOT NULL,
    unadjusted_segment  INTEGER,
    financial_override  BOOLEAN NOT NULL,
    adjusted_segment    INTEGER,
    final_segment       INTEGER,
    rank                INTEGER,
    scores              VARCHAR NOT NULL,     -- JSON: metric -> {score, source, value, weight}
    detail              VARCHAR NOT NULL,     -- JSON: the full result row
    PRIMARY KEY (run_id, org_code)
);
