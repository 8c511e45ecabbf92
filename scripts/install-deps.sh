#!/usr/bin/env bash
# scripts/install-deps.sh
#
# Installs every build, test and run dependency of pgpaimon from Debian's own
# archive (Debian 12 "bookworm"). Idempotent: packages already installed are
# skipped, and `apt-get update` runs only when something is missing. Runs
# apt-get directly as root, through sudo otherwise. Nothing is downloaded from
# anywhere but the configured apt sources.
set -euo pipefail

PG_MAJOR=${PG_MAJOR:-15}

PACKAGES=(
  # build
  build-essential cmake ninja-build pkg-config
  # libraries (with their pkg-config files)
  libpq-dev libjansson-dev libzstd-dev libsnappy-dev zlib1g-dev libsqlite3-dev
  libedit-dev libcmocka-dev
  # the PostgreSQL server and client used by the demo and the integration tests
  "postgresql-$PG_MAJOR" "postgresql-client-$PG_MAJOR"
  # test tools: runuser/ps/kill, the compose-file parser
  util-linux procps python3 python3-yaml
)

missing=()
for p in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
  [ "$status" = installed ] || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages already installed"
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  SUDO=()
elif command -v sudo >/dev/null; then
  SUDO=(sudo)
else
  echo "install-deps: missing packages (${missing[*]}) and not root and no sudo" >&2
  exit 1
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -q
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
  apt-get install -y -q --no-install-recommends "${missing[@]}"
