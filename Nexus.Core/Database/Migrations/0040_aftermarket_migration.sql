-- Section 3 of the spec: moving the AFT-{articleNo}-{supplier} rows of parts into aftermarket_parts.
-- A run is planned as id-range batches; queue workers process one batch per transaction.
-- Every AFT part of a run ends as exactly one item (migrated, unresolved or failed), and everything a
-- real run changes in the catalog is archived below so that the run can be reverted.

CREATE TABLE aftermarket_migration_runs (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    status        varchar(20) NOT NULL DEFAULT 'planned'
                  CHECK (status IN ('planned', 'running', 'completed', 'failed', 'reverted')),
    dry_run       boolean     NOT NULL,
    batch_size    integer     NOT NULL CHECK (batch_size > 0),
    total         integer     NOT NULL DEFAULT 0,
    migrated      integer     NOT NULL DEFAULT 0,
    unresolved    integer     NOT NULL DEFAULT 0,
    failed        integer     NOT NULL DEFAULT 0,
    batches_total integer     NOT NULL DEFAULT 0,
    -- Fan-in counter: every batch adds 1 exactly once (completed or failed); the one reaching batches_total ends the run.
    batches_done  integer     NOT NULL DEFAULT 0 CHECK (batches_done BETWEEN 0 AND batches_total),
    created_by    integer     REFERENCES users ON DELETE SET NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    started_at    timestamptz,
    completed_at  timestamptz,
    reverted_at   timestamptz
);
-- One run at a time, enforced by the database rather than by a check-then-insert race.
CREATE UNIQUE INDEX aftermarket_migration_runs_one_active ON aftermarket_migration_runs ((true))
    WHERE status IN ('planned', 'running');

CREATE TABLE aftermarket_migration_batches (
    run_id        bigint       NOT NULL REFERENCES aftermarket_migration_runs ON DELETE CASCADE,
    batch_no      integer      NOT NULL,
    id_from       integer      NOT NULL,
    id_to         integer      NOT NULL CHECK (id_to >= id_from),
    planned_parts integer      NOT NULL,
    status        varchar(20)  NOT NULL DEFAULT 'pending'
                  CHECK (status IN ('pending', 'running', 'completed', 'failed')),
    attempts      integer      NOT NULL DEFAULT 0,
    parts         integer,
    migrated      integer      NOT NULL DEFAULT 0,
    unresolved    integer      NOT NULL DEFAULT 0,
    failed        integer      NOT NULL DEFAULT 0,
    started_at    timestamptz,
    completed_at  timestamptz,
    error         varchar(2000),
    PRIMARY KEY (run_id, batch_no)
);

CREATE TABLE aftermarket_migration_items (
    run_id              bigint       NOT NULL REFERENCES aftermarket_migration_runs ON DELETE CASCADE,
    batch_no            integer      NOT NULL,
    part_id             integer      NOT NULL,
    aft_part_number     varchar(100) NOT NULL,
    article_number      varchar(100),
    manufacturer_id     integer,
    oem_part_id         integer,
    aftermarket_part_id integer,
    outcome             varchar(20)  NOT NULL CHECK (outcome IN ('migrated', 'unresolved', 'failed')),
    resolved_by         varchar(20)  CHECK (resolved_by IN ('cross_reference', 'vehicles')),
    reason              varchar(2000),
    -- Each AFT part is accounted for exactly once per run.
    PRIMARY KEY (run_id, part_id)
);
CREATE INDEX aftermarket_migration_items_batch ON aftermarket_migration_items (run_id, batch_no);
CREATE INDEX aftermarket_migration_items_outcome ON aftermarket_migration_items (run_id, outcome, part_id);

-- Archive: the AFT rows as they were, so revert can put them back exactly.
CREATE TABLE aftermarket_migration_archived_parts (
    run_id          bigint       NOT NULL REFERENCES aftermarket_migration_runs ON DELETE CASCADE,
    id_part         integer      NOT NULL,
    oem_part_number varchar(100) NOT NULL,
    name_part       varchar(300) NOT NULL,
    description     text,
    id_category     integer,
    id_manufacture  integer,
    PRIMARY KEY (run_id, id_part)
);

-- The AFT part's vehicle links, deleted by the run. The largest archive (about 6 rows per AFT part) and only
-- read back by a revert, so it carries no index and no foreign key (no per-row check): batches append at full speed.
CREATE TABLE aftermarket_migration_archived_vehicle_parts (
    run_id     bigint  NOT NULL,
    vehicle_id integer NOT NULL,
    part_id    integer NOT NULL
);

-- The (vehicle, OEM part) links the run added. Unique by link: a link is added once, by one run.
-- The vehicle fallback ignores these, so a batch never sees another batch's relinking and the result
-- does not depend on batch order (and a dry run computes what a real run does).
CREATE TABLE aftermarket_migration_added_vehicle_parts (
    run_id     bigint  NOT NULL REFERENCES aftermarket_migration_runs ON DELETE CASCADE,
    vehicle_id integer NOT NULL,
    part_id    integer NOT NULL,
    PRIMARY KEY (vehicle_id, part_id)
);
CREATE INDEX aftermarket_migration_added_vehicle_parts_run ON aftermarket_migration_added_vehicle_parts (run_id);

-- Cross references moved from the AFT part to its OEM part (same row, part_id changed).
CREATE TABLE aftermarket_migration_moved_cross_references (
    run_id             bigint  NOT NULL REFERENCES aftermarket_migration_runs ON DELETE CASCADE,
    id_cross_reference integer NOT NULL PRIMARY KEY,
    old_part_id        integer NOT NULL
);
CREATE INDEX aftermarket_migration_moved_cross_references_run ON aftermarket_migration_moved_cross_references (run_id);

-- aftermarket_parts rows the run created (rows it merely reused are not listed and survive a revert).
CREATE TABLE aftermarket_migration_created_aftermarket_parts (
    run_id              bigint  NOT NULL REFERENCES aftermarket_migration_runs ON DELETE CASCADE,
    aftermarket_part_id integer NOT NULL PRIMARY KEY
);
CREATE INDEX aftermarket_migration_created_aftermarket_parts_run ON aftermarket_migration_created_aftermarket_parts (run_id);

-- warehouse_inventory rows as they were before the run relinked or merged them (whole row, as JSON,
-- because the inventory table belongs to another feature).
CREATE TABLE aftermarket_migration_archived_inventory (
    run_id       bigint NOT NULL REFERENCES aftermarket_migration_runs ON DELETE CASCADE,
    id_inventory bigint NOT NULL,
    row_data     jsonb  NOT NULL,
    PRIMARY KEY (run_id, id_inventory)
);

-- Batches are id ranges over the AFT parts; this partial index serves both the planner and each batch.
-- (The other lookups are served by existing indexes: vehicle_parts' primary key and vehicle_parts_part,
-- part_cross_references_number, manufacturers_name_ci, aftermarket_parts_unique.)
CREATE INDEX parts_aft_prefix ON parts (id_part) WHERE oem_part_number LIKE 'AFT-%';
