#!/usr/bin/env bash
# Runs every benchmark binary built into $1/bench and prints its figures.
set -euo pipefail
build=${1:-build}
shopt -s nullglob
ran=0
for b in "$build"/bench/bench_*; do
  [ -x "$b" ] || continue
  echo "== $(basename "$b")"
  "$b"
  ran=1
done
[ $ran = 1 ] || echo "no benchmarks built yet"
