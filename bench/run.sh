#!/usr/bin/env bash
# Runs every benchmark binary built into $1/bench (bench_avro, bench_lake, bench_compaction,
# bench_sql: SQL vs native SQLite, issue 7) and prints its figures, then
# bench/bench_sync.sh: the CDC path against PostgreSQL's own tools on a
# throw-away cluster (issue 5). PMN_BENCH_SYNC=0 skips the latter.
set -euo pipefail
build=${1:-build}
here=$(dirname "$0")
shopt -s nullglob
ran=0
for b in "$build"/bench/bench_*; do
  [ -x "$b" ] || continue
  case $(basename "$b") in
    bench_latency) continue ;; # a probe driven by bench_sync.sh
  esac
  echo "== $(basename "$b")"
  "$b"
  if [ "$(basename "$b")" = bench_compaction ] && [ -z "${PMN_BENCH_OPTIONS:-}" ]; then
    # Java's default size amplification (200 %) bounds the read at the end near 1 / the bytes
    # ratio; the same stream with the read-tuned setting shows what that costs and buys
    echo "== bench_compaction (compaction.max-size-amplification-percent=25)"
    PMN_BENCH_OPTIONS=compaction.max-size-amplification-percent=25 "$b"
  fi
  ran=1
done
[ $ran = 1 ] || echo "no benchmarks built yet"
if [ "${PMN_BENCH_SYNC:-1}" != 0 ]; then
  echo "== bench_sync.sh"
  bash "$here/bench_sync.sh" "$build"
fi
