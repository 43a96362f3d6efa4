#!/usr/bin/env bash
# The research agent on real manuals (issue 20): downloads Debian's python3.11-doc and git-doc with apt-get download,
# unpacks them with dpkg -x (never installs them: installing doc packages can change the machine's own packages) into
# a cache directory, and runs the research benchmark's real-documentation mode on them.
# Usage: bench/docs.sh [--budget 12] [--explain]
set -euo pipefail
cd "$(dirname "$0")/.."
cache=${MISSIONS_DOCS_CACHE:-/tmp/missions-docs}
if [ ! -d "$cache/usr/share/doc/python3.11/html" ] || [ ! -d "$cache/usr/share/doc/git-doc" ]; then
  mkdir -p "$cache/debs"
  (cd "$cache/debs" && apt-get download python3.11-doc git-doc 2>&1 | grep -v "^W: Download is performed unsandboxed" || true)
  for deb in "$cache"/debs/*.deb; do dpkg -x "$deb" "$cache"; done
fi
dotnet run -c Release --project bench/Missions.ResearchBench -- --docs "$cache" "$@"
