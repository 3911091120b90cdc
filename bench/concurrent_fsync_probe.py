#!/usr/bin/python3
"""How log syncs of several processes on one disk slow each other down.

One, two and three processes write 4 KiB and fdatasync in lockstep (a barrier
before each write), appending to a growing file or overwriting a file that was
filled beforehand; prints each process's median latency. The replicas of a
Raft group on one machine are the three-process case. Files go in --dir.
"""
import argparse
import multiprocessing as mp
import os
import time


def worker(path, barrier, writes, out, overwrite):
    fd = os.open(path, os.O_CREAT | os.O_TRUNC | os.O_WRONLY)
    block = b"x" * 4096
    if overwrite:
        os.write(fd, b"\0" * (4096 * writes))
        os.fsync(fd)
        os.lseek(fd, 0, os.SEEK_SET)
    latencies = []
    for _ in range(writes):
        barrier.wait()
        start = time.perf_counter()
        os.write(fd, block)
        os.fdatasync(fd)
        latencies.append(time.perf_counter() - start)
    latencies.sort()
    out.put(latencies[len(latencies) // 2] * 1e6)
    os.close(fd)
    os.unlink(path)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dir", default="/tmp")
    parser.add_argument("--writes", type=int, default=2000)
    args = parser.parse_args()
    for processes in (1, 2, 3):
        for overwrite in (False, True):
            barrier = mp.Barrier(processes)
            out = mp.Queue()
            workers = [
                mp.Process(target=worker,
                           args=(os.path.join(args.dir, f"fsync-probe-{os.getpid()}-{i}"),
                                 barrier, args.writes, out, overwrite))
                for i in range(processes)
            ]
            for w in workers:
                w.start()
            for w in workers:
                w.join()
            medians = sorted(round(out.get()) for _ in workers)
            kind = "overwrite" if overwrite else "append"
            print(f"{processes} process(es), {kind} 4 KiB + fdatasync: p50 {medians} us")


if __name__ == "__main__":
    main()
