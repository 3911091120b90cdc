# bench/lib/fsync_probe.sh: sourced by bench scripts that print the disk's
# speed beside their figures (bench/bank_bench.sh,
# bench/cluster_insert_bench.sh; the probe of run_all.sh).
#
# The caller sets WORK (a directory on the disk the servers write to); then:
#   fsync_probe                      ms per 8 KiB O_DSYNC write in $WORK
#                                    (200 writes), or "?"

fsync_probe() {
  local out secs
  out="$(LC_ALL=C dd if=/dev/zero of="$WORK/fsync_probe" bs=8k count=200 oflag=dsync 2>&1)" || true
  rm -f "$WORK/fsync_probe"
  secs="$(echo "$out" | sed -n 's/.* copied, \([0-9.e-]*\) s,.*/\1/p')"
  [ -n "$secs" ] && python3 -c "print('%.2f' % ($secs * 1000 / 200))" || echo "?"
}
