#!/usr/bin/env bash
# tests/integration/002_compose_matches_harness.sh
#
# Docker does not run here, so docker-compose.yml is checked against the
# local harness instead: the guide's image, container, credentials, database
# and port, the same CDC settings as the running fixture server (configured
# by scripts/pg-local.sh), and the same init script, whose tables the
# fixture's sample database has.
source "$(dirname "$0")/lib.sh"

compose=$PMN_SOURCE_DIR/docker-compose.yml
[ -f "$compose" ] || fail "missing $compose"
py=/usr/bin/python3
[ -x "$py" ] || py=python3

# Flatten the postgres service to key=value lines (lists: one line per item).
flat=$("$py" - "$compose" <<'PYEOF'
import sys, yaml
doc = yaml.safe_load(open(sys.argv[1]))
svc = doc["services"]["postgres"]
for key in ("image", "container_name"):
    print(f"{key}={svc.get(key, '')}")
env = svc.get("environment", {})
if isinstance(env, list):
    env = dict(item.split("=", 1) for item in env)
for k, v in env.items():
    print(f"env.{k}={v}")
cmd = svc.get("command", [])
if isinstance(cmd, str):
    cmd = cmd.split()
for i, arg in enumerate(cmd):
    if arg == "-c":
        print(f"setting.{cmd[i + 1]}")
    elif arg.startswith("-c") and len(arg) > 2:
        print(f"setting.{arg[2:]}")
for p in svc.get("ports", []):
    print(f"port={p}")
for v in svc.get("volumes", []):
    print(f"volume={v}")
PYEOF
)
get() { printf '%s\n' "$flat" | sed -n "s/^$1=//p"; }

major=$(($(psql_q 'SHOW server_version_num' postgres) / 10000))
assert_eq "postgres:$major-alpine" "$(get image)" "image is postgres:$major-alpine, the harness's major version"
assert_eq postgres-cdc "$(get container_name)" "container_name"
assert_eq postgres "$(get env.POSTGRES_USER)" "POSTGRES_USER"
assert_eq postgres "$(get env.POSTGRES_PASSWORD)" "POSTGRES_PASSWORD"
assert_eq ecommerce "$(get env.POSTGRES_DB)" "POSTGRES_DB"
[[ $(cat "$PMN_PG_DIR/conninfo") == *" user=postgres password=postgres "* ]] ||
  fail "the harness does not use user/password postgres"
ok "the harness uses the same credentials"

port=$(get port)
[[ $port =~ (^|:)5432:5432$ ]] || fail "port mapping is '$port', not host 5432 -> container 5432"
ok "port 5432"

for s in wal_level max_replication_slots max_wal_senders; do
  assert_eq "$s=$(psql_q "SHOW $s" postgres)" "$(printf '%s\n' "$flat" | grep "^setting\.$s=" | sed 's/^setting\.//')" \
    "$s as in the harness"
done

init=""
while IFS= read -r vol; do
  src=${vol%%:*}
  rest=${vol#*:}
  dst=${rest%%:*}
  case $dst in /docker-entrypoint-initdb.d/*) init=$src ;; esac
done < <(get volume)
[ -n "$init" ] || fail "no volume mounted into /docker-entrypoint-initdb.d"
init_path=$(cd "$(dirname "$compose")" && readlink -f "$init")
assert_eq "$(readlink -f "$PMN_SOURCE_DIR/sql/postgres-init.sql")" "$init_path" "mounts sql/postgres-init.sql"
grep -q 'sql/postgres-init.sql' "$PG_LOCAL" || fail "pg-local.sh load-sample does not use sql/postgres-init.sql"
ok "the harness loads the same script"

# The fixture's ecommerce was loaded from that script: same tables.
fresh_db it_002_compose ecommerce
from_script=$(grep -io '^create table [a-z_]*' "$init_path" | awk '{print tolower($3)}' | sort | tr '\n' ' ')
from_db=$(psql_q "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1" | tr '\n' ' ')
assert_eq "$from_script" "$from_db" "the fixture's sample has the script's tables"
