"""Held-out AE evaluation: PSNR (continuous and HBQ M=1..6) and the attribute evaluator on recons."""
import numpy as np
import torch
from . import domain as D, evaluator as E, hbq


def psnr(a, b):
    """a, b in [-1,1]; PSNR on the [0,1] scale"""
    mse = float((((a - b) / 2) ** 2).mean())
    return 10 * np.log10(1.0 / max(mse, 1e-12))


@torch.no_grad()
def evaluate(ae, n=64, seed=999, Ms=(4,), batch=8, cont=True):
    rng = np.random.default_rng(seed)
    specs = [D.sample_spec(rng) for _ in range(n)]
    keys = (["cont"] if cont else []) + [f"M{m}" for m in Ms]
    ps = {k: [] for k in keys}
    tal = {k: E.Tally() for k in keys}
    for i in range(0, n, batch):
        sp = specs[i:i + batch]
        x = torch.from_numpy(np.stack([D.to_model(D.render(s)) for s in sp]))
        z = ae.encode(x)
        for k in keys:
            zz = z if k == "cont" else hbq.hbq_quant(z, int(k[1:]))
            y = ae.decode(zz).clamp(-1, 1)
            for j, s in enumerate(sp):
                ps[k].append(psnr(y[j].numpy(), x[j].numpy()))
                r, _ = E.score(D.from_model(y[j].numpy()), s)
                tal[k].add(r)
    out = {}
    for k in keys:
        d = tal[k].summary(); d["psnr"] = round(float(np.mean(ps[k])), 3)
        out[k] = d
    out["z_absmean"] = float(z.abs().mean()); out["z_sat"] = float((z.abs() > 0.9).float().mean())
    return out
