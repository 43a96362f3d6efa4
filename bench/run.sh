#!/usr/bin/env bash
# The grain-API benchmark side by side with Hangfire (in-memory, and PostgreSQL when it can be started here).
# Installs Debian's postgresql if missing and runs a private cluster on 127.0.0.1 for the run's length.
# With --cluster K, Missions runs in cluster mode (K silos on a private Redis and the same PostgreSQL) against
# Hangfire.PostgreSql on that PostgreSQL.
# Usage: bench/run.sh [N ...] [--runs R] [--producers P] [--cluster K] [--no-compare]     (default: 2000 20000 --runs 3)
set -euo pipefail
cd "$(dirname "$0")/.."
args=("$@"); [ ${#args[@]} -eq 0 ] && args=(2000 20000 --runs 3)

pg_dir=""
redis_pid=""
cleanup() {
  [ -n "$redis_pid" ] && kill "$redis_pid" 2>/dev/null || true
  if [ -n "$pg_dir" ]; then
    su postgres -c "$(ls -d /usr/lib/postgresql/*/bin | tail -n 1)/pg_ctl -D $pg_dir -m fast stop" >/dev/null 2>&1 || true
    rm -rf "$pg_dir"
  fi
}
trap cleanup EXIT

if ! ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null) \
    || echo "PostgreSQL could not be installed; Hangfire.PostgreSql is skipped." >&2
fi
if pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | tail -n 1) && [ -n "$pg_bin" ] && id postgres >/dev/null 2>&1; then
  pg_dir=$(mktemp -d /tmp/missions-bench-pg.XXXXXX)
  chown postgres "$pg_dir"
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  su postgres -c "$pg_bin/initdb -D $pg_dir -A trust -U postgres" >/dev/null
  su postgres -c "$pg_bin/pg_ctl -D $pg_dir -l $pg_dir/log -o \"-p $port -k $pg_dir -c listen_addresses=127.0.0.1 -c fsync=on -c max_connections=300\" -w start" >/dev/null
  export MISSIONS_BENCH_PG="Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres;Pooling=true;Maximum Pool Size=100"
fi

if [[ " ${args[*]} " == *" --cluster "* ]]; then
  command -v redis-server >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
  redis_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no >/dev/null 2>&1 &
  redis_pid=$!
  sleep 1
  export MISSIONS_BENCH_REDIS="127.0.0.1:$redis_port"
fi

compare=--compare
[[ " ${args[*]} " == *" --no-compare "* ]] && compare=""
dotnet run -c Release --project bench/Missions.Bench -- "${args[@]}" $compare
