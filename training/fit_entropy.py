"""Fit k, b of the entropy-guided rule from a fixed-step evaluation run (its pass-wp entropy is exactly H*,
because the warm-up schedule and the random streams are identical).
  /usr/bin/python3 training/fit_entropy.py training/runs/eval_<fixed tag>.json [wp=5] [n_lo=10] [n_hi=35]
Linear map: 10th percentile of H* -> N = n_lo passes after warm-up, 90th percentile -> N = n_hi."""
import sys, json, numpy as np
d = json.load(open(sys.argv[1]))
wp = int(sys.argv[2]) if len(sys.argv) > 2 else 5
n_lo = float(sys.argv[3]) if len(sys.argv) > 3 else 10
n_hi = float(sys.argv[4]) if len(sys.argv) > 4 else 35
H = np.array([r["H"][wp] for r in d["records"]])
lo, hi = np.percentile(H, 10), np.percentile(H, 90)
k = (n_hi - n_lo) / (hi - lo); b = n_lo - k * lo
grp = {}
for r in d["records"]:
    grp.setdefault(f"{r['n_obj']}obj_{r['bg']}", []).append(r["H"][wp])
print(json.dumps(dict(k=round(k, 3), b=round(b, 3), H_p10=lo, H_p90=hi, H_mean=float(H.mean()), H_std=float(H.std()),
                      H_by_group={g: round(float(np.mean(v)), 4) for g, v in sorted(grp.items())})))
