-- One row per deterministic data set loaded into this database (demo, full, ...).
-- Seeding checks it under a lock, so a rerun of `./nexus up` reuses the data instead of loading it twice.
CREATE TABLE data_sets (
    name      varchar(100) PRIMARY KEY,
    seed      bigint       NOT NULL,
    summary   jsonb        NOT NULL,
    loaded_at timestamptz  NOT NULL DEFAULT now()
);
