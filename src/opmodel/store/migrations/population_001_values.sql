-- Population health: indicator catalogue, loaded files and values by area, year and inequality category.
CREATE TABLE IF NOT EXISTS population_indicators (
    indicator_id  VARCHAR PRIMARY KEY,       -- qof_hypertension, core20_share, ft241, ...
    name          VARCHAR NOT NULL,
    definition    VARCHAR NOT NULL,
    polarity      VARCHAR NOT NULL,          -- high_is_good | low_is_good | no_judgement
    value_type    VARCHAR NOT NULL,          -- proportion | crude_rate | dsr | score | count | ...
    multiplier    DOUBLE NOT NULL,
    unit          VARCHAR NOT NULL,
    confidence    DOUBLE NOT NULL,           -- interval used to compare with England
    source        VARCHAR NOT NULL,
    licence       VARCHAR NOT NULL,
    third_party   BOOLEAN NOT NULL
);
CREATE TABLE IF NOT EXISTS population_sources (
    source_id     INTEGER PRIMARY KEY,
    file_name     VARCHAR NOT NULL,
    sha256        VARCHAR NOT NULL,
    layout        VARCHAR NOT NULL,          -- fingertips_data | icb_extract | imd_icb | ...
    source        VARCHAR NOT NULL,
    third_party   BOOLEAN NOT NULL,
    loaded_at     TIMESTAMP NOT NULL DEFAULT current_timestamp
);
CREATE SEQUENCE IF NOT EXISTS population_source_seq START 1;
CREATE TABLE IF NOT EXISTS population_values (
    indicator_id  VARCHAR NOT NULL,
    area_code     VARCHAR NOT NULL,          -- as published (ONS E92/E54/E38/E06-E10 or ODS ICB code)
    org_code      VARCHAR NOT NULL,          -- ODS ICB code where the registry maps it; 'england' for E92000001
    year          INTEGER NOT NULL,          -- calendar year or first year of the financial year
    category      VARCHAR NOT NULL DEFAULT '',  -- inequality breakdown, '' for the whole area
    value         DOUBLE NOT NULL,
    count         DOUBLE,
    denominator   DOUBLE,
    lower_ci      DOUBLE,
    upper_ci      DOUBLE,
    source_id     INTEGER NOT NULL,
    source_row    INTEGER,
    PRIMARY KEY (indicator_id, area_code, year, category)
);
CREATE INDEX IF NOT EXISTS population_values_org ON population_values(org_code, indicator_id);
