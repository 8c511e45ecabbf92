# A repeated -e (or --warehouse, --output, -f) is refused: the earlier value was dropped
# silently and only the last statement ran.
set -u
"$PGPAIMON" sql --warehouse /tmp/paimon -e 'SELECT 1 AS a;' -e 'SELECT 2 AS b;'
echo "exit status: $?"
"$PGPAIMON" sql --warehouse /tmp/paimon --warehouse /tmp/other -e 'SELECT 1 AS a;'
echo "exit status: $?"
"$PGPAIMON" sql --warehouse /tmp/paimon -e 'SELECT 1 AS a; SELECT 2 AS b;'
