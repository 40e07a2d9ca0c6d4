#!/usr/bin/env bash
# Runs fuzz harnesses for a set time each: tests/fuzz/run.sh SECONDS JOBS NAME...
# The corpus grows in build/fuzz/corpus/<name> (never committed), seeded from
# build/fuzz/seeds/<name>; committed crash reproducers in
# tests/fuzz/regressions/<name>/ are replayed first. Prints one line per
# harness and fails if any harness crashed, leaked or timed out.
set -uo pipefail
cd "$(dirname "$0")/../.."
secs=$1 jobs=$2
shift 2
B=build/fuzz
mkdir -p $B/logs $B/artifacts

one() {
  local name=$1 secs=$2 B=build/fuzz
  local bin=$B/fuzz_$name log=$B/logs/$name.log
  mkdir -p $B/corpus/$name
  local reg=tests/fuzz/regressions/$name
  if [ -d "$reg" ] && [ -n "$(ls -A "$reg")" ]; then
    if ! $bin -runs=0 "$reg"/* >$B/logs/$name.regress.log 2>&1; then
      echo "fuzz $name: REGRESSION input crashes again (see $B/logs/$name.regress.log)"
      tail -30 $B/logs/$name.regress.log
      return 1
    fi
  fi
  local start end rc
  start=$(date +%s)
  $bin -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
       -dict=tests/fuzz/jwt.dict -artifact_prefix=$B/artifacts/$name- \
       -print_final_stats=1 $B/corpus/$name $B/seeds/$name >"$log" 2>&1
  rc=$?
  end=$(date +%s)
  local runs cov
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  cov=$(grep -ao 'cov: [0-9]*' "$log" | tail -1)
  if [ $rc -ne 0 ]; then
    echo "fuzz $name: FAILED after $((end - start))s ($runs runs): see $log"
    grep -aE 'ERROR|FUZZ_ASSERT|SUMMARY|Test unit written|failed' "$log" | head -10
    return 1
  fi
  echo "fuzz $name: ok, $((end - start))s, ${runs:-?} runs, ${cov:-cov: ?}, corpus $(ls $B/corpus/$name | wc -l)"
}
export -f one

printf '%s\n' "$@" | xargs -P "$jobs" -I{} bash -c "one {} $secs"
