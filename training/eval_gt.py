"""Evaluator self-check on ground-truth clips: nice -n 10 /usr/bin/python3 training/eval_gt.py [n]
-> training/runs/gt_eval.json"""
import sys, os, json, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy as np
from grn_tiny import domain as D, evaluator as E
from grn_tiny.common import WORK
n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
rng = np.random.default_rng(12345)
t = E.Tally(); t1 = E.Tally(); t2 = E.Tally(); fails = []
t0 = time.time()
for i in range(n):
    s = D.sample_spec(rng)
    r, a = E.score(D.render(s), s)
    t.add(r); (t1 if len(s["objs"]) == 1 else t2).add(r)
    if not r["all"][0] and len(fails) < 5: fails.append((s["caption"], a))
out = dict(n=n, seed=12345, all=t.summary(), one_object=t1.summary(), two_objects=t2.summary())
print(json.dumps(out))
json.dump(out, open(os.path.join(WORK, "gt_eval.json"), "w"), indent=1)
for f in fails: print(f)
print("%.1f s" % (time.time() - t0))
