-- The floor for the AFT- migration bench: the same set-based transformation as the batch worker
-- (Nexus.Core/Aftermarket: AftermarketResolution, AftermarketCatalogChanges, AftermarketInventoryRelinking),
-- over every AFT part in ONE transaction, with no queue and no per-batch bookkeeping.
-- Generated from those files' SQL; regenerate when they change. Usage:
--   psql -v ON_ERROR_STOP=1 -d nexus -f bench/aftermarket-floor.sql
-- Then compare `\timing` of this script with the queued run (two workers) on a copy of the same database.
\set min_shared 2
\set min_percent 50
\timing on
BEGIN;
INSERT INTO aftermarket_migration_runs (status, dry_run, batch_size) VALUES ('running', false, 2147483647)
RETURNING id AS run_id \gset

CREATE TEMP TABLE aftermarket_batch (
    id_part             integer PRIMARY KEY,
    aft_part_number     varchar(100) NOT NULL,
    name_part           varchar(300) NOT NULL,
    id_category         integer,
    vehicle_count       integer NOT NULL,
    manufacturer_id     integer,
    supplier            text,
    article_number      varchar(100),
    article_norm        text,
    oem_part_id         integer,
    resolved_by         varchar(20),
    aftermarket_part_id integer,
    reason              varchar(2000)
) ON COMMIT DROP;

INSERT INTO aftermarket_batch (id_part, aft_part_number, name_part, id_category, vehicle_count,
                               manufacturer_id, supplier, article_number, article_norm, reason)
SELECT p.id_part, p.oem_part_number, p.name_part, p.id_category,
       (SELECT count(*) FROM vehicle_parts vp WHERE vp.part_id = p.id_part),
       s.id_manufacture, s.supplier, s.article, normalize_part_number(s.article),
       CASE
           WHEN s.id_manufacture IS NULL THEN 'no_manufacturer: no trailing part of the number names a known manufacturer'
           WHEN normalize_part_number(s.article) = '' THEN 'empty_part_number: nothing before the manufacturer'
           WHEN EXISTS (SELECT 1 FROM aftermarket_parts a WHERE a.oem_part_id = p.id_part)
               THEN 'referenced_as_oem: aftermarket_parts rows use this AFT part as their OEM part'
       END
FROM parts p
CROSS JOIN LATERAL (SELECT string_to_array(substr(p.oem_part_number, 5), '-') AS segments) seg
LEFT JOIN LATERAL (
    SELECT m.id_manufacture,
           array_to_string(seg.segments[k:], '-') AS supplier,
           array_to_string(seg.segments[1:k - 1], '-') AS article
    FROM generate_series(2, cardinality(seg.segments)) AS k
    JOIN manufacturers m ON lower(m.name_manufacture) = lower(array_to_string(seg.segments[k:], '-'))
    ORDER BY k
    LIMIT 1
) s ON true
WHERE p.oem_part_number LIKE 'AFT-%' AND p.id_part BETWEEN -2147483648 AND 2147483647;
ANALYZE aftermarket_batch;

UPDATE aftermarket_batch b
SET oem_part_id = match.part_id, resolved_by = 'cross_reference'
FROM (
    SELECT DISTINCT ON (b2.id_part) b2.id_part, x.part_id
    FROM aftermarket_batch b2
    JOIN part_cross_references x
      ON x.cross_reference_number_norm = b2.article_norm AND lower(x.source_ref) = lower(b2.supplier)
    JOIN parts oem ON oem.id_part = x.part_id AND oem.oem_part_number NOT LIKE 'AFT-%'
    WHERE b2.reason IS NULL
      AND NOT EXISTS (SELECT 1 FROM aftermarket_migration_moved_cross_references mv
                      WHERE mv.id_cross_reference = x.id_cross_reference)
    ORDER BY b2.id_part, x.part_id
) match
WHERE b.id_part = match.id_part;

UPDATE aftermarket_batch b
SET oem_part_id = best.candidate, resolved_by = 'vehicles'
FROM (
    SELECT DISTINCT ON (shared.id_part) shared.id_part, shared.candidate
    FROM (
        SELECT b2.id_part, b2.vehicle_count, vp2.part_id AS candidate, count(*) AS vehicles
        FROM aftermarket_batch b2
        JOIN vehicle_parts vp1 ON vp1.part_id = b2.id_part
        JOIN vehicle_parts vp2 ON vp2.vehicle_id = vp1.vehicle_id
        JOIN parts oem ON oem.id_part = vp2.part_id
        WHERE b2.reason IS NULL AND b2.oem_part_id IS NULL
          AND oem.id_category = b2.id_category
          AND oem.oem_part_number NOT LIKE 'AFT-%'
          AND NOT EXISTS (SELECT 1 FROM aftermarket_migration_added_vehicle_parts added
                          WHERE added.vehicle_id = vp2.vehicle_id AND added.part_id = vp2.part_id)
        GROUP BY b2.id_part, b2.vehicle_count, vp2.part_id
    ) shared
    WHERE shared.vehicles >= :min_shared AND shared.vehicles * 100 >= shared.vehicle_count * :min_percent
    ORDER BY shared.id_part, shared.vehicles DESC, shared.candidate
) best
WHERE b.id_part = best.id_part;

UPDATE aftermarket_batch
SET reason = format('no_oem_part: no cross reference %s/%s, and no OEM part of the same category shares at least %s and %s%% of its %s vehicles',
                    article_number, supplier, :min_shared, :min_percent, vehicle_count)
WHERE reason IS NULL AND oem_part_id IS NULL;

WITH created AS (
    INSERT INTO aftermarket_parts (oem_part_id, manufacturer_id, part_number, name_aftermarket_parts)
    SELECT DISTINCT ON (oem_part_id, manufacturer_id, article_norm) oem_part_id, manufacturer_id, article_number, name_part
    FROM aftermarket_batch
    WHERE oem_part_id IS NOT NULL
    ORDER BY oem_part_id, manufacturer_id, article_norm, id_part
    ON CONFLICT (oem_part_id, manufacturer_id, part_number_norm) DO NOTHING
    RETURNING id_aftermarket_parts
)
INSERT INTO aftermarket_migration_created_aftermarket_parts (run_id, aftermarket_part_id)
SELECT :run_id, id_aftermarket_parts FROM created;

UPDATE aftermarket_batch b
SET aftermarket_part_id = a.id_aftermarket_parts
FROM aftermarket_parts a
WHERE b.oem_part_id IS NOT NULL
  AND a.oem_part_id = b.oem_part_id AND a.manufacturer_id = b.manufacturer_id AND a.part_number_norm = b.article_norm;

WITH added AS (
    INSERT INTO vehicle_parts (vehicle_id, part_id)
    SELECT DISTINCT vp.vehicle_id, b.oem_part_id
    FROM aftermarket_batch b
    JOIN vehicle_parts vp ON vp.part_id = b.id_part
    WHERE b.oem_part_id IS NOT NULL
    ORDER BY 1, 2
    ON CONFLICT DO NOTHING
    RETURNING vehicle_id, part_id
)
INSERT INTO aftermarket_migration_added_vehicle_parts (run_id, vehicle_id, part_id)
SELECT :run_id, vehicle_id, part_id FROM added;

WITH removed AS (
    DELETE FROM vehicle_parts vp
    USING aftermarket_batch b
    WHERE vp.part_id = b.id_part AND b.oem_part_id IS NOT NULL
    RETURNING vp.vehicle_id, vp.part_id
)
INSERT INTO aftermarket_migration_archived_vehicle_parts (run_id, vehicle_id, part_id)
SELECT :run_id, vehicle_id, part_id FROM removed;

WITH moved AS (
    UPDATE part_cross_references x
    SET part_id = b.oem_part_id
    FROM aftermarket_batch b
    WHERE x.part_id = b.id_part AND b.oem_part_id IS NOT NULL
    RETURNING x.id_cross_reference, b.id_part
)
INSERT INTO aftermarket_migration_moved_cross_references (run_id, id_cross_reference, old_part_id)
SELECT :run_id, id_cross_reference, id_part FROM moved;

-- Inventory relinking: only when warehouse_inventory (with aftermarket_part_id) exists.
SELECT to_regclass('warehouse_inventory') IS NOT NULL AS has_inventory \gset
\if :has_inventory
CREATE TEMP TABLE aftermarket_batch_inventory ON COMMIT DROP AS
WITH moving AS (
    SELECT w.id_inventory, w.user_id, w.warehouse_location, b.aftermarket_part_id AS target, false AS existing
    FROM warehouse_inventory w
    JOIN aftermarket_batch b ON b.id_part = w.part_id
    WHERE b.oem_part_id IS NOT NULL
)
SELECT * FROM moving
UNION ALL
SELECT w.id_inventory, w.user_id, w.warehouse_location, w.aftermarket_part_id, true
FROM warehouse_inventory w
WHERE EXISTS (SELECT 1 FROM moving m
              WHERE m.target = w.aftermarket_part_id AND m.user_id = w.user_id AND m.warehouse_location = w.warehouse_location);

INSERT INTO aftermarket_migration_archived_inventory (run_id, id_inventory, row_data)
SELECT :run_id, w.id_inventory, to_jsonb(w)
FROM warehouse_inventory w
JOIN aftermarket_batch_inventory i ON i.id_inventory = w.id_inventory
ON CONFLICT (run_id, id_inventory) DO NOTHING;

-- One row survives per (bodega, aftermarket part, location): the one already there, else the oldest moving one.
CREATE TEMP TABLE aftermarket_batch_inventory_keep ON COMMIT DROP AS
SELECT DISTINCT ON (i.user_id, i.target, i.warehouse_location)
       i.id_inventory, i.target,
       sum(w.stock_quantity) OVER (PARTITION BY i.user_id, i.target, i.warehouse_location) AS stock_quantity,
       count(*) OVER (PARTITION BY i.user_id, i.target, i.warehouse_location) AS rows_merged
FROM aftermarket_batch_inventory i
JOIN warehouse_inventory w ON w.id_inventory = i.id_inventory
ORDER BY i.user_id, i.target, i.warehouse_location, i.existing DESC, i.id_inventory;

DELETE FROM warehouse_inventory w
USING aftermarket_batch_inventory i
WHERE w.id_inventory = i.id_inventory
  AND NOT EXISTS (SELECT 1 FROM aftermarket_batch_inventory_keep k WHERE k.id_inventory = i.id_inventory);

UPDATE warehouse_inventory w
SET part_id = NULL,
    aftermarket_part_id = k.target,
    stock_quantity = k.stock_quantity,
    updated_at = CASE WHEN k.rows_merged > 1 THEN now() ELSE w.updated_at END
FROM aftermarket_batch_inventory_keep k
WHERE w.id_inventory = k.id_inventory;
\endif

WITH removed AS (
    DELETE FROM parts p
    USING aftermarket_batch b
    WHERE p.id_part = b.id_part AND b.oem_part_id IS NOT NULL
    RETURNING p.id_part, p.oem_part_number, p.name_part, p.description, p.id_category, p.id_manufacture
)
INSERT INTO aftermarket_migration_archived_parts (run_id, id_part, oem_part_number, name_part, description, id_category, id_manufacture)
SELECT :run_id, id_part, oem_part_number, name_part, description, id_category, id_manufacture FROM removed;

INSERT INTO aftermarket_migration_items (run_id, batch_no, part_id, aft_part_number, article_number, manufacturer_id,
                                         oem_part_id, aftermarket_part_id, outcome, resolved_by, reason)
SELECT :run_id, 1, id_part, aft_part_number, article_number, manufacturer_id, oem_part_id, aftermarket_part_id,
       CASE WHEN oem_part_id IS NOT NULL THEN 'migrated' ELSE 'unresolved' END, resolved_by, reason
FROM aftermarket_batch;
UPDATE aftermarket_migration_runs
SET status = 'completed', completed_at = now(),
    total = (SELECT count(*) FROM aftermarket_batch),
    migrated = (SELECT count(*) FROM aftermarket_batch WHERE oem_part_id IS NOT NULL),
    unresolved = (SELECT count(*) FROM aftermarket_batch WHERE oem_part_id IS NULL)
WHERE id = :run_id;
ALTER TABLE parts ADD CONSTRAINT parts_no_aft_numbers CHECK (oem_part_number NOT LIKE 'AFT-%') NOT VALID;
COMMIT;
