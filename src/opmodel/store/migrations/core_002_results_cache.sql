-- Results computed from the store and kept for reuse (issue 25): a quarter's segmentation, its
-- likely ranges, charts. Keyed by what was computed and every argument; a row is valid only at the
-- version it records (the code and the data version of the areas it was computed from).
CREATE TABLE IF NOT EXISTS results_cache (
    name        VARCHAR NOT NULL,        -- e.g. oversight.segment
    key         VARCHAR NOT NULL,        -- sha256 of the arguments
    version     VARCHAR NOT NULL,        -- code fingerprint | data version of the areas depended on
    created_at  TIMESTAMP NOT NULL DEFAULT current_timestamp,
    value       BLOB NOT NULL,           -- the result, pickled
    PRIMARY KEY (name, key)
);
