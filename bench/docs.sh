#!/usr/bin/env bash
# The research agent on real manuals: downloads Debian's doc packages with apt-get download, unpacks them with dpkg -x
# (never installs them: installing doc packages can change the machine's own packages) into a cache directory, and runs
# the research benchmark's real-documentation mode on them.
# Usage: bench/docs.sh [--budget 12] [--explain]                                  (issue 20: python and git, 48 questions)
#        bench/docs.sh --set manuals [--half tuning|held-out] [--budget 12] [--explain]   (issue 32: 7 manuals, 122 questions)
set -euo pipefail
cd "$(dirname "$0")/.."
cache=${MISSIONS_DOCS_CACHE:-/tmp/missions-docs}
need=(python3.11/html git-doc rust-doc/html golang-1.19-doc/html erlang-doc openjdk-17-jre-headless/api)
missing=0
for dir in "${need[@]}"; do [ -d "$cache/usr/share/doc/$dir" ] || missing=1; done
if [ "$missing" = 1 ]; then
  mkdir -p "$cache/debs"
  packages=(python3.11-doc git-doc rust-doc golang-1.19-doc erlang-doc openjdk-17-doc)
  download() { (cd "$cache/debs" && apt-get download "${packages[@]}" 2>&1 | grep -v "^W: Download is performed unsandboxed"); }
  # A fresh machine's package lists may be empty: read them once, then download again.
  if download | grep -q "^E:"; then
    sudo=; [ "$(id -u)" = 0 ] || sudo=sudo
    $sudo apt-get update -qq && download || true
  fi
  for deb in "$cache"/debs/*.deb; do dpkg -x "$deb" "$cache"; done
fi
dotnet run -c Release --project bench/Missions.ResearchBench -- --docs "$cache" "$@"
