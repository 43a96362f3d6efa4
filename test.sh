#!/usr/bin/env bash
# Runs every test on a fresh machine: installs what the tests need, checks the compose file, runs dotnet test.
set -euo pipefail
cd "$(dirname "$0")"

apt_install() {
  # Debian's packages only; the first try can fail transiently, so try twice.
  local missing=()
  for package in "$@"; do dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "Installing ${missing[*]} from Debian's packages…"
  for try in 1 2; do
    if $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null; then
      return 0
    fi
    echo "apt-get failed (try $try)"; sleep 3
  done
  return 1
}

# Chromium for the browser tests (driven by Playwright at /usr/bin/chromium; no browser download); PostgreSQL and
# Redis for the cluster tests (each test collection starts private servers on loopback ports in a temp directory).
apt_install chromium docker-compose postgresql redis-server
echo "Validating docker-compose.yml…"
docker-compose -f docker-compose.yml config -q
docker-compose -f docker-compose.yml --profile cluster config -q

dotnet test Orleans.sln -c Release "$@"
