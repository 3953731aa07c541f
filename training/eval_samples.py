"""Sample held-out prompts with the trained refiner and score them with the attribute evaluator.
  nice -n 10 /usr/bin/python3 training/eval_samples.py --mode fixed --steps 50 --w 3 --tau 1 [--n 100]
  nice -n 10 /usr/bin/python3 training/eval_samples.py --mode entropy --k K --b B --wp 5 --tmin 10 --tmax 50
Prompts: 100 held-out scenes from seed 424242 (50/50 one/two objects); sampler seeds 10_000 + i.
Writes training/runs/eval_<tag>.json (summary + per-prompt records)."""
import os, sys, json, time, argparse
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy as np, torch
from grn_tiny import domain as D, evaluator as E, sampler as S, runtime as RT
from grn_tiny.common import WORK, setup, Log

ap = argparse.ArgumentParser()
ap.add_argument("--mode", default="fixed"); ap.add_argument("--steps", type=int, default=50)
ap.add_argument("--w", type=float, default=3.0); ap.add_argument("--tau", type=float, default=1.0)
ap.add_argument("--k", type=float, default=0.0); ap.add_argument("--b", type=float, default=45.0)
ap.add_argument("--wp", type=int, default=5); ap.add_argument("--tmin", type=int, default=10)
ap.add_argument("--tmax", type=int, default=50); ap.add_argument("--n", type=int, default=100)
ap.add_argument("--seed", type=int, default=424242); ap.add_argument("--tag", default=None)
ap.add_argument("--refiner", default=None)
a = ap.parse_args()
setup(); log = Log("eval.log")
tag = a.tag or (f"fixed{a.steps}_w{a.w}_t{a.tau}" if a.mode == "fixed" else f"entropy_k{a.k}_b{a.b}_w{a.w}_t{a.tau}")
rng = np.random.default_rng(a.seed)
specs = [D.sample_spec(rng, n_obj=1 + (i % 2)) for i in range(a.n)]
ref, _ = RT.load_refiner(a.refiner); gen = RT.Generator(ref, RT.load_ae())
if a.mode == "fixed":
    sf = lambda: S.Schedule("fixed", Tmax=a.steps)
else:
    sf = lambda: S.Schedule("entropy", Tmax=a.tmax, Tmin=a.tmin, wp=a.wp, k=a.k, b=a.b)
t0 = time.time()
bits, info = gen.sample([s["caption"] for s in specs], [10_000 + i for i in range(a.n)], w=a.w, tau=a.tau, schedule_fn=sf)
ts = time.time() - t0
frames = gen.decode(bits)
tal, t1, t2 = E.Tally(), E.Tally(), E.Tally()
recs = []
for s, f, inf in zip(specs, frames, info):
    r, an = E.score(f, s)
    tal.add(r); (t1 if len(s["objs"]) == 1 else t2).add(r)
    recs.append(dict(caption=s["caption"], n_obj=len(s["objs"]), bg=s["bg"], res=r, passes=inf["passes"],
                     H=inf["entropy"], Hstar=inf.get("Hstar"), detected=an["objects"]))
passes = np.array([r["passes"] for r in recs])
grp = {}
for r in recs:
    grp.setdefault(f"{r['n_obj']}obj_{r['bg']}", []).append(r["passes"])
summ = dict(tag=tag, args=vars(a), all=tal.summary(), one_object=t1.summary(), two_objects=t2.summary(),
            mean_passes=float(passes.mean()), passes_by_group={k: float(np.mean(v)) for k, v in sorted(grp.items())},
            sample_seconds=round(ts, 1))
log("EVAL", json.dumps(summ))
json.dump(dict(summary=summ, records=recs), open(os.path.join(WORK, f"eval_{tag}.json"), "w"))
