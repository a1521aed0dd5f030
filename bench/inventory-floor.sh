#!/usr/bin/env bash
# The import floor (shared/notes/import-floor.sql) for one file and bodega: prints its wall time in seconds.
# Usage: bench/inventory-floor.sh DATABASE CSV USER_ID   (PGHOST/PGPORT/PGUSER/PGPASSWORD from the environment)
set -euo pipefail
t0=$(date +%s.%N)
psql -X -q -v ON_ERROR_STOP=1 -d "$1" >/dev/null <<SQL
BEGIN;
CREATE TEMP TABLE stg (part_number text, price numeric(12,2), stock int, location text) ON COMMIT DROP;
\copy stg(part_number, price, stock, location) FROM '$2' WITH (FORMAT csv, HEADER true)
INSERT INTO warehouse_inventory(user_id, part_id, price, stock_quantity, warehouse_location)
SELECT $3, p.id_part, s.price, s.stock, s.location FROM stg s JOIN parts p ON p.oem_part_number = s.part_number
ON CONFLICT (user_id, part_id, warehouse_location) DO UPDATE SET price = EXCLUDED.price, stock_quantity = EXCLUDED.stock_quantity, updated_at = now();
COMMIT;
SQL
echo "$(date +%s.%N) - $t0" | bc
