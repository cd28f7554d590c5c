-- The organisation registry: organisations and their dated parent relationships.
CREATE TABLE IF NOT EXISTS organisations (
    code        VARCHAR PRIMARY KEY,
    name        VARCHAR NOT NULL,
    kind        VARCHAR NOT NULL,      -- national | region | icb | sub_icb | trust | other_provider
    subtype     VARCHAR,               -- e.g. acute, mental_health_community, ambulance, wales
    open_date   DATE,
    close_date  DATE,                  -- inclusive last day; NULL while open
    ons_code    VARCHAR,
    postcode    VARCHAR,
    source      VARCHAR NOT NULL
);
-- child -> parent, valid on [valid_from, valid_to] (both inclusive; valid_to NULL = open-ended).
CREATE TABLE IF NOT EXISTS relationships (
    child       VARCHAR NOT NULL,
    parent      VARCHAR NOT NULL,
    rel         VARCHAR NOT NULL,      -- trust_icb | sub_icb_icb | icb_region | region_national
    valid_from  DATE NOT NULL,
    valid_to    DATE,
    load_id     INTEGER
);
CREATE INDEX IF NOT EXISTS relationships_child ON relationships(child);
-- Snapshots applied, per ODS file kind, so an older snapshot cannot be applied after a newer one.
CREATE TABLE IF NOT EXISTS ods_snapshots (
    file_kind   VARCHAR NOT NULL,      -- etr | eccg | reference
    as_of       DATE NOT NULL,
    source      VARCHAR NOT NULL,
    sha256      VARCHAR NOT NULL,
    load_id     INTEGER NOT NULL
);
