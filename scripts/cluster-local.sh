#!/usr/bin/env bash
# A cluster on this machine: a private Redis and PostgreSQL (Debian's packages) in a directory of their own,
# N silos and one web frontend as their client. Ctrl-C stops everything. Usage: scripts/cluster-local.sh [silos] [dir]
set -euo pipefail
cd "$(dirname "$0")/.."
SILOS="${1:-2}"
DIR="$(realpath -m "${2:-./cluster-data}")"
PG_BIN=/usr/lib/postgresql/15/bin
REDIS_PORT=6390
PG_PORT=5440
mkdir -p "$DIR"

for tool in redis-server "$PG_BIN/postgres"; do
  command -v "$tool" >/dev/null || { echo "Missing $tool: sudo apt-get install -y redis-server postgresql"; exit 1; }
done

as_postgres() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if [ ! -d "$DIR/pg" ]; then
  mkdir -p "$DIR/pg"; [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$DIR/pg"
  as_postgres "$PG_BIN/initdb" -D "$DIR/pg" -U postgres -A trust -E UTF8 >/dev/null
fi

pids=()      # Redis and PostgreSQL
apps=()      # silos and the web frontend: stopped first, while the servers they need to leave the cluster are still up
cleanup() {
  trap - EXIT INT TERM
  kill "${apps[@]}" 2>/dev/null || true
  for _ in $(seq 1 60); do kill -0 "${apps[@]}" 2>/dev/null || break; sleep 1; done
  kill -9 "${apps[@]}" 2>/dev/null || true
  kill "${pids[@]}" 2>/dev/null || true
  as_postgres "$PG_BIN/pg_ctl" -D "$DIR/pg" -m fast -w stop >/dev/null 2>&1 || true  # postgres runs under runuser, not as our child
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$DIR" --appendonly yes --save "" >"$DIR/redis.log" 2>&1 & pids+=($!)
as_postgres "$PG_BIN/postgres" -D "$DIR/pg" -p "$PG_PORT" -k "$DIR/pg" -c listen_addresses=127.0.0.1 >"$DIR/postgres.log" 2>&1 & pids+=($!)
sleep 2

export Missions__Cluster__Redis="127.0.0.1:$REDIS_PORT"
export Missions__Store__PostgreSql="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=postgres"

dotnet build src/Silo -c Release -v q -nologo >/dev/null
dotnet build src/WebFrontend -c Release -v q -nologo >/dev/null
for i in $(seq 1 "$SILOS"); do
  Missions__Orleans__SiloPort=$((11110 + i)) Missions__Orleans__GatewayPort=$((30000 + i)) Missions__DataDirectory="$DIR/silo$i" \
    dotnet src/Silo/bin/Release/net10.0/Missions.Silo.dll >"$DIR/silo$i.log" 2>&1 & apps+=($!)
done
Missions__Orleans__Mode=client Missions__DataDirectory="$DIR/web" \
  dotnet src/WebFrontend/bin/Release/net10.0/Missions.WebFrontend.dll & apps+=($!)
echo "Redis on 127.0.0.1:$REDIS_PORT, PostgreSQL on 127.0.0.1:$PG_PORT, $SILOS silos; the page at http://localhost:5000 (logs in $DIR)"
wait
