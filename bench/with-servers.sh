#!/usr/bin/env bash
# Runs a command with a private PostgreSQL and Redis (Debian's packages) on free loopback ports, for the cluster-mode
# benchmarks: MISSIONS_BENCH_PG and MISSIONS_BENCH_REDIS say where. Stopped and removed afterwards.
# Usage: bench/with-servers.sh dotnet run -c Release --project bench/Missions.HttpBench -- --cluster ...
set -euo pipefail
cd "$(dirname "$0")/.."
pg_bin=$(ls -d /usr/lib/postgresql/*/bin | tail -n 1)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
dir=$(mktemp -d /tmp/missions-bench-servers.XXXXXX)
chown postgres "$dir" 2>/dev/null || true
as_postgres() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
pg_port=$(free_port); redis_port=$(free_port)
as_postgres "$pg_bin/initdb" -D "$dir/pg" -A trust -U postgres >/dev/null
as_postgres "$pg_bin/pg_ctl" -D "$dir/pg" -l "$dir/pg.log" -o "-p $pg_port -k $dir -c listen_addresses=127.0.0.1 -c fsync=on -c max_connections=300" -w start >/dev/null
redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no >/dev/null 2>&1 &
redis_pid=$!
cleanup() { kill "$redis_pid" 2>/dev/null || true; as_postgres "$pg_bin/pg_ctl" -D "$dir/pg" -m fast stop >/dev/null 2>&1 || true; rm -rf "$dir"; }
trap cleanup EXIT
export MISSIONS_BENCH_PG="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=postgres"
export MISSIONS_BENCH_REDIS="127.0.0.1:$redis_port"
"$@"
