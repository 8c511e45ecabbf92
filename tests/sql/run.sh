#!/bin/sh
# tests/sql/run.sh PGPAIMON NAME.sql|NAME.sh NAME.expected WORKDIR
#
# One SQL golden test (pg_regress style): runs NAME.sql through `pgpaimon sql -f` on a fresh
# warehouse and diffs everything it prints (results, [INFO] and [ERROR] lines, exit status)
# with NAME.expected. A NAME.sh test is a shell script (the guide's heredocs, verbatim) run by
# sh with $PGPAIMON set and $FLINK_HOME/bin/sql-client.sh standing for `pgpaimon sql`. The warehouse path '/tmp/paimon' in the script (the guide's) is replaced
# by a directory under WORKDIR, and back in the output. Values that change from run to run are
# masked with same-width placeholders so table layouts stay comparable: UUIDs (commit users,
# manifest names) become u's, times of day from this year on become T's, epoch milliseconds
# of this century become 1's. TZ is UTC. PMN_SQL_UPDATE=1 rewrites NAME.expected instead.
set -u
bin=$1
sql=$2
expected=$3
work=$4
rm -rf "$work"
mkdir -p "$work"
wh="$work/paimon"
# "-- @include FILE" lines stand for FILE (beside the test): the shared sample-data setup
awk -v dir="$(dirname "$sql")" '
    /^-- @include / { f = dir "/" $3; while ((getline line < f) > 0) print line; close(f); next }
    { print }' "$sql" | sed "s#/tmp/paimon#$wh#g" >"$work/in.sql"
status=0
case "$sql" in
*.sh)
    mkdir -p "$work/flink/bin"
    printf '#!/bin/sh\nexec "%s" sql "$@"\n' "$bin" >"$work/flink/bin/sql-client.sh"
    chmod +x "$work/flink/bin/sql-client.sh"
    (cd "$work" && TZ=UTC PGPAIMON="$bin" FLINK_HOME="$work/flink" sh "$work/in.sql") \
        >"$work/raw.txt" 2>&1 || status=$?
    ;;
*)
    TZ=UTC "$bin" sql -f "$work/in.sql" >"$work/raw.txt" 2>&1 || status=$?
    ;;
esac
echo "exit status: $status" >>"$work/raw.txt"
year=$(date -u +%Y)
WH="$wh" YEAR="$year" perl -pe '
    s/\Q$ENV{WH}\E/\/tmp\/paimon/g;
    s/([0-9a-f]{8}-[0-9a-f]{4}[0-9a-f.-]*)/"u" x length($1)/ge;
    s/((\d{4})-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?)/$2 >= $ENV{YEAR} ? "T" x length($1) : $1/ge;
    s/\b(1[6-9]\d{11})\b/"1" x length($1)/ge;
' "$work/raw.txt" >"$work/out.txt"
if [ "${PMN_SQL_UPDATE:-0}" = 1 ]; then
    cp "$work/out.txt" "$expected"
    exit 0
fi
diff -u "$expected" "$work/out.txt"
