# Shared by the bench scripts (source it): connection-string conversion, a standalone host process, logins.
# NEXUS_BENCH_POSTGRES / NEXUS_BENCH_STORAGE come from ./nexus bench.

# Npgsql "Host=..;Port=..;Username=..;Database=.." -> libpq keywords for psql.
libpq() {
  local out="" key value pair pairs
  IFS=';' read -ra pairs <<<"$1"
  for pair in "${pairs[@]}"; do
    [[ $pair == *=* ]] || continue
    key=${pair%%=*}; value=${pair#*=}
    case ${key,,} in
      host|server) out+=" host=$value" ;;
      port) out+=" port=$value" ;;
      username|user\ id|userid|user) out+=" user=$value" ;;
      password) out+=" password=$value" ;;
      database) out+=" dbname=$value" ;;
    esac
  done
  echo "$out"
}

# with_database <npgsql connection string> <database>: the same server, another database.
with_database() { sed -E "s/(^|;)Database=[^;]*//I" <<<"$1" | sed "s/\$/;Database=$2/"; }

# start_host <port> <postgres connection string> <log file> [VAR=value ...]: the Release build, standalone, in the
# background; prints its pid (the app itself, so /proc/<pid> is the host's memory). Extra variables configure it.
# The per-bodega hourly upload quota and the per-address search limit are lifted: bench/load uploads back to back
# for longer than an hour allows, and wrk searches from one address thousands of times a second.
# The host gets a session of its own (setsid), as a service has: with the kernel's autogroup scheduling (on here) CPU is
# shared between sessions first, so in the bench's session the host would share one slice with wrk and the uploader's
# curl, while PostgreSQL and Azurite (sessions of their own) had one each. The bench's EXIT trap stops it.
start_host() {
  local port=$1 postgres=$2 log=$3
  shift 3
  local out=$BENCH_ROOT/Nexus.Functions/bin/Release/net10.0
  setsid env ConnectionStrings__Postgres="$postgres" ConnectionStrings__Storage="$NEXUS_BENCH_STORAGE" \
    Jwt__SigningKey="bench-only-$(head -c 24 /dev/urandom | base64)" Logging__LogLevel__Default=Warning \
    ASPNETCORE_ENVIRONMENT=Production Inventory__MaxUploadsPerHour=100000 Nexus__MaxSearchesPerAddressPerMinute=0 "$@" \
    dotnet "$out/Nexus.Functions.dll" --contentRoot "$out" --urls "http://127.0.0.1:$port" >"$log" 2>&1 &
  echo $!
}

# wait_healthy <port> <pid> <log file>: until /api/health answers 200 (2 min at most); fails if the host exits.
wait_healthy() {
  local _
  for _ in $(seq 1 240); do
    curl -fs "http://127.0.0.1:$1/api/health" >/dev/null 2>&1 && return 0
    kill -0 "$2" 2>/dev/null || { echo "host exited:" >&2; tail -20 "$3" >&2; return 1; }
    sleep 0.5
  done
  echo "host on port $1 not healthy after 2 minutes" >&2
  return 1
}

# login <port> <email> <password>: prints an access token.
login() {
  curl -fsS "http://127.0.0.1:$1/api/auth/login" -H 'Content-Type: application/json' \
    -d "{\"email\":\"$2\",\"password\":\"$3\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])'
}

# to_paths <prefix>: query-string lines (name=value) from stdin -> "/api/parts/search?..." URL paths.
to_search_paths() {
  python3 -c 'import sys, urllib.parse
for line in sys.stdin:
    line = line.strip()
    if line:
        print("/api/parts/search?" + urllib.parse.urlencode(urllib.parse.parse_qsl(line)))'
}

# number_queries <libpq connection>: part-number searches as users type them, from the data set (prefixes of 5-8
# characters, full numbers with spaces, cross-reference numbers), as number=... lines.
number_queries() {
  psql "$1" -qAtX -c "
    SELECT CASE WHEN id_part % 3 = 0 THEN oem_part_number ELSE left(oem_part_number_norm, 5 + id_part % 4) END
    FROM parts WHERE id_part % 4999 = 17 AND oem_part_number NOT LIKE 'AFT-%' ORDER BY id_part LIMIT 120" | sed 's/^/number=/'
  psql "$1" -qAtX -c "
    SELECT cross_reference_number FROM part_cross_references WHERE id_cross_reference % 9973 = 5 ORDER BY 1 LIMIT 30" \
    | sed 's/^/number=/'
}
