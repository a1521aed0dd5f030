#!/usr/bin/env bash
# Inventory import benchmark: the floor (psql \copy + one INSERT … ON CONFLICT, design.md §6) against the upload pipeline
# (InventoryUploadProcessor, driven in-process by Nexus.Tests' InventoryBenchmark: the HTTP endpoints are not needed to time it).
# 1M rows (95% known part numbers) against a 1M-part catalog: CSV first load, CSV re-upload with 2% changed, XLSX first load.
# Uses NEXUS_BENCH_POSTGRES / NEXUS_BENCH_STORAGE when set (./nexus bench), else the shared dev services (NEXUS_TEST_*).
# Usage: bench/inventory.sh [rows] [--pipeline-only]   (work files in bench/.work, kept between runs;
#        --pipeline-only reuses the bench database when it exists)
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${1:-1000000}
PIPELINE_ONLY=${2:-}
WORK=bench/.work
mkdir -p "$WORK"
[[ -z "${NEXUS_BENCH_POSTGRES:-}" || -z "${NEXUS_BENCH_STORAGE:-}" ]] && [[ -f /tmp/devsvc/env.sh ]] && source /tmp/devsvc/env.sh
PG=${NEXUS_BENCH_POSTGRES:-${NEXUS_TEST_POSTGRES:?set NEXUS_BENCH_POSTGRES}}
STORAGE=${NEXUS_BENCH_STORAGE:-${NEXUS_TEST_STORAGE:?set NEXUS_BENCH_STORAGE}}
DB=nexus_bench_inventory

# Npgsql "Key=Value;..." → libpq environment for psql.
field() { tr ';' '\n' <<<"$PG" | awk -F= -v k="$1" 'tolower($1)==tolower(k){print substr($0, index($0,"=")+1)}'; }
export PGHOST=$(field Host) PGPORT=$(field Port) PGUSER=$(field Username) PGPASSWORD=$(field Password)
psql_admin() { psql -X -q -v ON_ERROR_STOP=1 -d "$(field Database | grep . || echo postgres)" "$@"; }
psql_bench() { psql -X -q -v ON_ERROR_STOP=1 -d "$DB" "$@"; }
now() { date +%s.%N; }

# Deterministic files: part i is 'P' + 7 digits; every 20th row (i % 20 = 7) names an unknown part 'Q…';
# the re-upload changes the price of every 50th row (2%, all known parts).
gen_csv() { # $1 file, $2 changed_every (0 = none)
  awk -v n="$ROWS" -v every="$2" 'BEGIN {
    print "part_number,price,stock,location";
    for (i = 1; i <= n; i++) {
      p = sprintf("%s%07d", (i % 20 == 7 ? "Q" : "P"), i);
      price = 100 + i % 997 + (every > 0 && i % every == 0 ? 1 : 0);
      printf "%s,%d.50,%d,Guadalajara\n", p, price, i % 50;
    } }' > "$1"
}
CSV1=$WORK/inventory-$ROWS.csv CSV2=$WORK/inventory-$ROWS-2pct.csv
[[ -s $CSV1 ]] || gen_csv "$CSV1" 0
[[ -s $CSV2 ]] || gen_csv "$CSV2" 50

if [[ $PIPELINE_ONLY != --pipeline-only ]] || ! psql_admin -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB'" | grep -q 1; then
echo "== bench database $DB ($ROWS parts)"
psql_admin -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB"
for f in $(ls Nexus.Core/Database/Migrations/*.sql | sort); do psql_bench -f "$f" >/dev/null; done
psql_bench <<SQL
INSERT INTO manufacturers (id_manufacture, name_manufacture) VALUES (1, 'Bosch'), (2, 'Toyota'), (3, 'Gates'), (4, 'Fricción Pérez');
INSERT INTO parts (oem_part_number, name_part, id_manufacture)
SELECT 'P' || lpad(i::text, 7, '0'), 'Parte ' || i, 1 + i % 4 FROM generate_series(1, $ROWS) i;
INSERT INTO users (name_user, email, pass, id_rol, business_name, is_active)
SELECT 'Bodega ' || i, 'bodega' || i || '@bench.mx', 'x', 4, 'Bodega ' || i, true FROM generate_series(1, 4) i;
VACUUM ANALYZE;
CHECKPOINT;
SQL
fi

# Each pipeline case runs right after its floor case (same data, same table state) so that load drift hits both alike.
echo "== floor and pipeline, interleaved (pipeline = in-process InventoryUploadProcessor, Release)"
dotnet build Nexus.Tests -c Release -v q -nologo >/dev/null
OUT=$WORK/pipeline.tsv; rm -f "$OUT"
NEXUS_BENCH=1 NEXUS_TEST_POSTGRES="$PG" NEXUS_TEST_STORAGE="$STORAGE" \
NEXUS_BENCH_DATABASE="$(echo "$PG" | sed -E "s/(^|;)Database=[^;]*//I");Database=$DB" \
NEXUS_BENCH_CSV="$PWD/$CSV1" NEXUS_BENCH_CSV_CHANGED="$PWD/$CSV2" NEXUS_BENCH_ROWS="$ROWS" NEXUS_BENCH_OUT="$PWD/$OUT" \
NEXUS_BENCH_FLOOR="$PWD/bench/inventory-floor.sh" NEXUS_BENCH_DB_NAME="$DB" \
  dotnet test Nexus.Tests -c Release --no-build --filter InventoryBenchmark -nologo --logger "console;verbosity=detailed" >"$WORK/dotnet-test.log" 2>&1 \
  || { tail -40 "$WORK/dotnet-test.log"; exit 1; }

get() { awk -F'\t' -v k="$1" -v c="$2" '$1==k{print $c}' "$OUT"; }
XLSX_READ=$(get xlsx_read 2)
FLOOR_FIRST=$(get floor_first 2) FLOOR_RE=$(get floor_reupload 2) FLOOR_XLSX=$(get floor_first_xlsx 2)
echo
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores); floor re-upload = the same file again (every row updated)"
printf '%-28s %9s %9s %8s %8s  %s\n' case seconds floor ratio target "peak RSS delta / counts"
row() { printf '%-28s %9.2f %9.2f %8.2f %8s  %s\n' "$1" "$2" "$3" "$(echo "$2 / $3" | bc -l)" "$4" "$5"; }
row "CSV first load" "$(get csv_first 2)" "$FLOOR_FIRST" "<= 1.25" "$(get csv_first 3) MB; $(get csv_first 4)"
row "CSV re-upload, 2% changed" "$(get csv_reupload 2)" "$FLOOR_RE" "<= 0.35" "$(get csv_reupload 3) MB; $(get csv_reupload 4)"
row "XLSX first load" "$(get xlsx_first 2)" "$(echo "$FLOOR_XLSX + $XLSX_READ" | bc -l)" "<= 1.25" "$(get xlsx_first 3) MB; $(get xlsx_first 4) (floor $FLOOR_XLSX + MiniExcel read $XLSX_READ s)"
