#!/usr/bin/env python3
"""timecmd.py RUNS CMD...: run CMD RUNS times (output dropped) and print
"WALL_MS CPU_MS": the medians of its wall time and of its CPU time (user +
system, from wait4's rusage, microsecond resolution).  Why both: on a
loaded machine the wall time measures the other processes as much as CMD;
the CPU time is what CMD itself costs.  Exits 1 when a run fails."""
import os
import subprocess
import sys
import time


def one(cmd):
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _pid, status, ru = os.wait4(p.pid, 0)
    wall = time.monotonic() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    return p.returncode, wall * 1000, (ru.ru_utime + ru.ru_stime) * 1000


def main(argv):
    runs, cmd = int(argv[0]), argv[1:]
    walls, cpus = [], []
    for _ in range(runs):
        rc, w, c = one(cmd)
        if rc != 0:
            print("FAILED", file=sys.stderr)
            return 1
        walls.append(w)
        cpus.append(c)
    walls.sort()
    cpus.sort()
    print("%.1f %.1f" % (walls[len(walls) // 2], cpus[len(cpus) // 2]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
