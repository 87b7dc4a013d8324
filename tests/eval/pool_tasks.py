#!/usr/bin/env python3
"""tests/eval/pool_tasks.py: reads kith-eval --tasks output on stdin (one
"sums NAME key=value ..." line per mailbox) and prints the follow-up table:
per mailbox and pooled, reply precision against the naive rule's, recall,
waiting precision, keep-in-touch mix, open tasks per date."""
import statistics
import sys

rows = []
for line in sys.stdin:
    if not line.startswith("sums "):
        continue
    f = line.split()
    d = {"name": f[1]}
    for kv in f[2:]:
        k, v = kv.split("=", 1)
        d[k] = [int(x) for x in v.split(",") if x] if k in ("open", "shown") else int(v)
    rows.append(d)
if not rows:
    sys.exit("no sums lines")
pool = {"name": "pooled"}
for k in rows[0]:
    if k != "name":
        pool[k] = sum((r[k] for r in rows), [] if k in ("open", "shown") else 0)
rows.append(pool)


def ratio(a, b):
    return "%.2f (%d/%d)" % (a / b, a, b) if b else "- (0/0)"


print("| mailbox | dates | reply P | naive P | x naive | recall | recall, tiered | waiting P"
      " | keep (inner/close/active/wider/fading) | wanted/date med, max | open after cap med, max |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
for r in rows:
    p = r["reply_hit"] / r["reply"] if r["reply"] else 0
    nv = r["naive_hit"] / r["naive"] if r["naive"] else 0
    print("| %s | %d | %s | %s | %s | %s | %s | %s | %d (%d/%d/%d/%d/%d) | %g, %d | %g, %d |" % (
        r["name"], r["dates"], ratio(r["reply_hit"], r["reply"]),
        ratio(r["naive_hit"], r["naive"]), "%.1f" % (p / nv) if nv else "-",
        ratio(r["want_task"], r["want"]), ratio(r["want_t_task"], r["want_t"]),
        ratio(r["wait_hit"], r["wait"]), r["keep"], r["keep_inner"], r["keep_close"],
        r["keep_active"], r["keep_wider"], r["keep_fading"],
        statistics.median(r["open"]) if r["open"] else 0, max(r["open"] or [0]),
        statistics.median(r["shown"]) if r["shown"] else 0, max(r["shown"] or [0])))
print()
print("unanswered reply tasks by the pending message: new / answer to the user's opening /"
      " closing (answers the user's answer); missed the same way")
for r in rows:
    print("  %-8s false %d / %d / %d   missed %d / %d / %d" % (
        r["name"], r["fp_new"], r["fp_answer"], r["fp_closing"], r["miss_new"],
        r["miss_answer"], r["miss_closing"]))
