# bench/lib/pgbench_summary.sh: sourced by the bench scripts that sum up
# pgbench runs from their outputs and --log files (bench/bank_bench.sh;
# summarize and record are copies of bench/cluster_insert_bench.sh's, which
# they extend with pgbench 15's retry counts, appended last).
#
# A pgbench run labelled LABEL leaves, in the caller's $WORK: LABEL.out
# (pgbench's output), LABEL.log.* (its --log files, --log-prefix=
# $WORK/LABEL.log) and LABEL.rc (its exit status). The caller sets WORK and
# declares the associative array FIG (declare -A FIG); then:
#   summarize LABEL...               "transactions failed aborted_clients
#                                    p50_ms p99_ms mean_ms tps retried
#                                    retries" over the runs LABEL... (tps
#                                    and counts summed, logs merged;
#                                    latencies nearest rank over the logs'
#                                    3rd column, us, which for a retried
#                                    transaction spans all its tries)
#   record SYS LABEL...              summarize into FIG[SYS,n], FIG[SYS,failed],
#                                    FIG[SYS,aborted], FIG[SYS,p50],
#                                    FIG[SYS,p99], FIG[SYS,mean], FIG[SYS,tps],
#                                    FIG[SYS,retried] (transactions retried at
#                                    least once), FIG[SYS,retries] (tries
#                                    beyond the first), and FIG[SYS,rc] (the
#                                    exit statuses)

summarize() {  # LABEL...
  python3 - "$WORK" "$@" <<'EOF'
import glob, math, re, sys
work, labels = sys.argv[1], sys.argv[2:]
lat, failed_in_log = [], 0
for label in labels:
    for path in glob.glob("%s/%s.log.*" % (work, label)):
        for line in open(path):
            cols = line.split()
            if len(cols) < 3:
                continue
            if cols[2].isdigit():
                lat.append(int(cols[2]))
            else:  # "failed" or "skipped"
                failed_in_log += 1
tps, processed, failed, aborted, retried, retries = 0.0, 0, 0, 0, 0, 0
for label in labels:
    out = open("%s/%s.out" % (work, label)).read()
    m = re.search(r"^tps = ([0-9.]+) \(without initial connection time\)", out, re.M)
    tps = tps + float(m.group(1)) if m else float("nan")
    m = re.search(r"number of transactions actually processed: (\d+)", out)
    processed += int(m.group(1)) if m else 0
    m = re.search(r"number of failed transactions: (\d+)", out)
    failed += int(m.group(1)) if m else 0
    m = re.search(r"number of transactions retried: (\d+)", out)
    retried += int(m.group(1)) if m else 0
    m = re.search(r"total number of retries: (\d+)", out)
    retries += int(m.group(1)) if m else 0
    aborted += len(re.findall(r"client \d+ script \d+ aborted", out))
lat.sort()
def pct(p):
    if not lat:
        return float("nan")
    return lat[max(0, math.ceil(p / 100.0 * len(lat)) - 1)] / 1000.0
mean = sum(lat) / len(lat) / 1000.0 if lat else float("nan")
if failed_in_log != failed:
    print("summarize: %s: %d failed in the logs, %d in pgbench's output"
          % (",".join(labels), failed_in_log, failed), file=sys.stderr)
print(processed, failed, aborted, "%.2f" % pct(50), "%.2f" % pct(99), "%.2f" % mean, "%.1f" % tps,
      retried, retries)
EOF
}

record() {  # SYS LABEL...
  local sys="$1"; shift
  read -r FIG[$sys,n] FIG[$sys,failed] FIG[$sys,aborted] FIG[$sys,p50] FIG[$sys,p99] \
    FIG[$sys,mean] FIG[$sys,tps] FIG[$sys,retried] FIG[$sys,retries] < <(summarize "$@")
  local label
  FIG[$sys,rc]=""
  for label in "$@"; do FIG[$sys,rc]+="$(cat "$WORK/$label.rc") "; done
  FIG[$sys,rc]="${FIG[$sys,rc]% }"
}
