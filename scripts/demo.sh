#!/usr/bin/env bash
# scripts/demo.sh (run by `make demo`)
#
# Brings up the guide's source side: a local PostgreSQL (scripts/pg-local.sh,
# folder .pg-local) with the sample database ecommerce, and prints how to
# connect. The PostgreSQL -> Paimon sync itself is not built yet.
set -euo pipefail
cd "$(dirname "$0")/.."

pg=scripts/pg-local.sh
conninfo=$(bash $pg start)
bash $pg load-sample
port=$(sed -n 's/.* port=\([0-9]*\) .*/\1/p' <<<"$conninfo")
q() { bash $pg psql -X -A -t -d ecommerce -c "$1"; }

cat <<INFO

PostgreSQL $(q 'SHOW server_version' | cut -d' ' -f1) is running on 127.0.0.1:$port (wal_level=$(q 'SHOW wal_level')),
with the sample database ecommerce: $(q 'SELECT count(*) FROM products') products, $(q 'SELECT count(*) FROM customers') customers, $(q 'SELECT count(*) FROM orders') orders,
$(q 'SELECT count(*) FROM order_items') order items, $(q 'SELECT count(*) FROM inventory') inventory rows; publication paimon_cdc covers every table.

Connect:
  scripts/pg-local.sh psql -d ecommerce
  psql "host=127.0.0.1 port=$port user=postgres password=postgres dbname=ecommerce"
conninfo (also in .pg-local/conninfo; shell variables in .pg-local/env):
  $conninfo

Try:
  scripts/pg-local.sh psql -d ecommerce -c "SELECT product_id, product_name, category, price FROM products LIMIT 5"

Stop it with:  scripts/pg-local.sh stop

Not built yet: pgpaimon cannot sync these tables into a Paimon lake or query
the lake yet. This demo only brings up the PostgreSQL source side.
INFO
