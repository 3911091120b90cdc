#!/usr/bin/env bash
# bench/jepsen_soak.sh BUILD_DIR [SECONDS] [SEEDS] [FILTER]
#
# The long form of the Jepsen-style tests (tests/cluster/jepsen_*_test.cc):
# runs BUILD_DIR/tests/cluster/jepsen_test once per seed, seeds FIRST_SEED ..
# FIRST_SEED+SEEDS-1 (CAIRN_TEST_SEED), each workload for SECONDS seconds
# (CAIRN_JEPSEN_SECONDS; default 300) instead of the short form's 20, the
# workloads picked by FILTER (a --gtest_filter, default every Jepsen test:
# bank on 3 and 5 nodes, register, set). One run at a time: each starts
# its own cluster on free ports of 127.0.0.1.
#
# Prints each run's summary lines ("[jepsen] SUMMARY ... verdict: ...") as
# it goes, and at the end the seeds that failed. The full output of a failed
# run is kept in WORKDIR/seed-<n>.log (with CAIRN_KEEP_DATA=1, the nodes'
# data dirs are kept too, their paths in that log); passing runs' logs are
# removed unless KEEP_LOGS=1.
#
# Examples:
#   bench/jepsen_soak.sh build                  # 300 s per workload, 10 seeds
#   bench/jepsen_soak.sh build 600 50 '*Register*'
#   FIRST_SEED=1000 bench/jepsen_soak.sh build 120 20
#
# Environment: FIRST_SEED (default 1), WORKDIR (default a new temp dir),
# KEEP_LOGS=1, CAIRN_KEEP_DATA=1, CAIRN_BINARY (the node binary the tests
# start; default BUILD_DIR/cairn: point it at another build to test that
# one with these tests), and CAIRN_JEPSEN_FAULTS (passed on to the tests:
# the kinds of fault to inject, e.g. "pause" or "kill,split"; all by
# default).
set -euo pipefail

if [ $# -lt 1 ]; then
  sed -n '2,/^set -euo/p' "$0" | sed 's/^# \{0,1\}//' | head -n -1 >&2
  exit 2
fi
build_dir=$1
seconds=${2:-300}
seeds=${3:-10}
filter=${4:-'JepsenBankTest.*:JepsenTest.*'}
first_seed=${FIRST_SEED:-1}
binary="$build_dir/tests/cluster/jepsen_test"
if [ ! -x "$binary" ]; then
  echo "no $binary: build it first (cmake --build $build_dir --target jepsen_test cairn)" >&2
  exit 2
fi
export CAIRN_BINARY=${CAIRN_BINARY:-$(cd "$build_dir" && pwd)/cairn}
workdir=${WORKDIR:-$(mktemp -d -t cairn-jepsen-soak-XXXXXX)}
mkdir -p "$workdir"
echo "jepsen soak: $seeds seed(s) from $first_seed, $seconds s per workload, filter $filter;" \
  "logs in $workdir"

failed=()
for ((seed = first_seed; seed < first_seed + seeds; seed++)); do
  log="$workdir/seed-$seed.log"
  started=$(date +%s)
  if CAIRN_TEST_SEED=$seed CAIRN_JEPSEN_SECONDS=$seconds \
    "$binary" --gtest_filter="$filter" >"$log" 2>&1; then
    status=passed
  else
    status=FAILED
    failed+=("$seed")
  fi
  grep -h '^\[jepsen\] SUMMARY' "$log" || true
  echo "seed $seed: $status in $(($(date +%s) - started)) s"
  if [ "$status" = passed ] && [ "${KEEP_LOGS:-0}" != 1 ]; then rm -f "$log"; fi
done

if [ ${#failed[@]} -eq 0 ]; then
  echo "jepsen soak: all $seeds seed(s) passed"
else
  echo "jepsen soak: FAILED seeds: ${failed[*]} (logs: $workdir/seed-<n>.log; rerun one with" \
    "CAIRN_TEST_SEED=<n> CAIRN_JEPSEN_SECONDS=$seconds $binary --gtest_filter='$filter')"
  exit 1
fi
