-- Speed of the AFT- migration on the full data set (measured with EXPLAIN ANALYZE per statement).

-- 1. The vehicle fallback compares an AFT part's vehicles with the OEM parts of the same category on those vehicles.
--    Reading that from vehicle_parts costs a parts lookup per link (thousands of parts per vehicle); the planner
--    therefore records, once per run, the OEM parts of every (vehicle, category) as one sorted array. It is also what
--    makes batches independent: they all see the catalog as it was when the run was planned, never another batch's
--    relinking (links added by earlier runs are left out as well).
CREATE TABLE aftermarket_migration_oem_vehicle_parts (
    run_id      bigint    NOT NULL,
    vehicle_id  integer   NOT NULL,
    id_category integer   NOT NULL,
    part_ids    integer[] NOT NULL,
    PRIMARY KEY (run_id, vehicle_id, id_category)
);

-- 2. The per-part bookkeeping rows all carry their own batch's run id; a foreign-key check per row (one trigger call
--    each, about a third of the cost of archiving a part) proves nothing. Runs are never deleted. Like
--    aftermarket_migration_archived_vehicle_parts, these tables keep the run id without the constraint.
ALTER TABLE aftermarket_migration_items DROP CONSTRAINT aftermarket_migration_items_run_id_fkey;
ALTER TABLE aftermarket_migration_archived_parts DROP CONSTRAINT aftermarket_migration_archived_parts_run_id_fkey;
ALTER TABLE aftermarket_migration_created_aftermarket_parts DROP CONSTRAINT aftermarket_migration_created_aftermarket_parts_run_id_fkey;
ALTER TABLE aftermarket_migration_added_vehicle_parts DROP CONSTRAINT aftermarket_migration_added_vehicle_parts_run_id_fkey;
ALTER TABLE aftermarket_migration_moved_cross_references DROP CONSTRAINT aftermarket_migration_moved_cross_references_run_id_fkey;
ALTER TABLE aftermarket_migration_archived_inventory DROP CONSTRAINT aftermarket_migration_archived_inventory_run_id_fkey;
