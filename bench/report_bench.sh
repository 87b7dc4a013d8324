#!/usr/bin/env bash
# bench/report_bench.sh: `kith report -o FILE` on a synthetic database:
# by default 100,000 messages between the user and 1,000 people, analysed
# by the real kith_analyze (tests/tools/kith-synth --analyze), built once
# and kept in the work dir.  Prints the page's size and the median wall
# and CPU time of writing it.
#
#   bench/report_bench.sh [BUILD_DIR] [--messages N] [--people P] [--runs R] [--dir D]
#
# Targets (issue 17): at most 300 KB for 1,000 people, written in under
# 100 ms.  Exits 1 when one is missed (so `make bench` shows it).  The
# wall time counts waiting for a CPU: on a loaded machine read the CPU
# figure beside it.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
build=$top/build messages=100000 people=1000 runs=21 dir=""
. "$top/bench/synth_db.sh"
bench_args "$@"
bench_db report-bench --analyze

out=$dir/report.html
python3 - "$kith" "$conf" "$out" "$runs" <<'EOF'
import os, resource, statistics, subprocess, sys, time
kith, conf, out, runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
cmd = [kith, "-c", conf, "report", "-o", out]

def medians(cmd):
    """Median wall and CPU milliseconds of cmd over `runs` runs."""
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)  # warm the page cache
    wall, cpu = [], []
    for _ in range(runs):
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.monotonic()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        t1 = time.monotonic()
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        wall.append((t1 - t0) * 1000)
        cpu.append((r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime) * 1000)
    return statistics.median(wall), statistics.median(cpu)

w, c = medians(cmd)
pw, pc = medians([kith, "-c", conf, "people"])
size = os.path.getsize(out)
with open(out, encoding="utf-8") as f:
    page = f.read()
sections = page.count("<section class=p ")
print(f"kith report: {sections} people on the page, {size / 1024:.0f} KB "
      f"({'ok' if size <= 300 * 1024 else 'TOO BIG'}, target 300 KB)")
print(f"kith report: median {w:.1f} ms wall, {c:.1f} ms CPU over {runs} runs "
      f"({'ok' if w < 100 else 'SLOW'}, target 100 ms)")
print(f"for scale, kith people: median {pw:.1f} ms wall, {pc:.1f} ms CPU (the machine's load shows in both)")
sys.exit(0 if size <= 300 * 1024 and w < 100 else 1)
EOF
