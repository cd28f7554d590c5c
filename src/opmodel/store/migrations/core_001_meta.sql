-- Store-wide bookkeeping: schema versions per area and key/value metadata.
CREATE TABLE IF NOT EXISTS schema_version (
    area    VARCHAR PRIMARY KEY,
    version INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (
    key   VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL
);
-- Every file or snapshot loaded, whatever the area, with its content hash.
CREATE TABLE IF NOT EXISTS loads (
    load_id     INTEGER PRIMARY KEY,
    area        VARCHAR NOT NULL,
    kind        VARCHAR NOT NULL,
    source      VARCHAR NOT NULL,
    sha256      VARCHAR NOT NULL,
    as_of       DATE,
    loaded_at   TIMESTAMP NOT NULL DEFAULT current_timestamp,
    row_count   INTEGER NOT NULL DEFAULT 0
);
CREATE SEQUENCE IF NOT EXISTS load_id_seq START 1;
