"""Train text encoder + GRN refiner (GRN-METHOD.md 2.4). Resumable:
  nice -n 10 /usr/bin/python3 training/train_refiner.py
Env: REF_STEPS (total steps, sets the cosine schedule), REF_MINUTES (stop & checkpoint after this wall time;
rerun to continue), REF_D / REF_HEADS / REF_MLP / REF_BS, REF_TEXT_LAYERS / REF_TEXT_D (text encoder, 2 / 96).
Checkpoint training/runs/refiner.pt every 100 steps; log training/runs/refiner.log.
Objective: per sample keep probability p = shift(sigmoid(N(MU, SIGMA^2)); ALPHA); every bit kept with prob p,
else replaced by a uniform random bit; the realised keep fraction is the progress input; BCE on ALL bits
(mean over tokens and bits, samples weighted equally); caption -> empty caption ([EOS] only) with prob 0.1."""
import os, sys, time, math, json
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy as np, torch
import torch.nn.functional as Fn
from grn_tiny import models as Mo, text as T
from grn_tiny.common import WORK, setup, save_atomic, Log

CFG = dict(d=int(os.environ.get("REF_D", 160)), layers=4, heads=int(os.environ.get("REF_HEADS", 5)),
           mlp=int(os.environ.get("REF_MLP", 384)))
if "REF_TEXT_LAYERS" in os.environ or "REF_TEXT_D" in os.environ:   # absent from the shipped run's config
    CFG.update(text_layers=int(os.environ.get("REF_TEXT_LAYERS", 2)), dt=int(os.environ.get("REF_TEXT_D", 96)))
STEPS = int(os.environ.get("REF_STEPS", 3000))
MINUTES = float(os.environ.get("REF_MINUTES", 1e9))
BS = int(os.environ.get("REF_BS", 32))
LR, WD, EMA = 1e-3, 0.01, 0.998
MU, SIGMA, ALPHA = 0.0, 1.0, 2.0
DROP = 0.1
setup(); log = Log("refiner.log")
data = torch.load(os.path.join(WORK, "latents.pt"))
bits_all, ids_all, mask_all = data["bits"], data["ids"], data["mask"]
NCLIP, NTOK, NBIT = bits_all.shape
empty_ids, empty_mask = (torch.tensor(v) for v in T.encode(""))
model = Mo.Refiner(len(T.VOCAB), n_tokens=NTOK, bits=NBIT, **CFG)
ema = Mo.Refiner(len(T.VOCAB), n_tokens=NTOK, bits=NBIT, **CFG); ema.load_state_dict(model.state_dict())
for q in ema.parameters(): q.requires_grad_(False)
decay, no_decay = [], []
for nme, q in model.named_parameters():
    (no_decay if q.ndim < 2 or "pos" in nme or nme.endswith(".w") else decay).append(q)
opt = torch.optim.AdamW([dict(params=decay, weight_decay=WD), dict(params=no_decay, weight_decay=0.0)],
                        LR, betas=(0.9, 0.95))
ck = os.path.join(WORK, "refiner.pt")
step = 0
if os.path.exists(ck):
    s = torch.load(ck)
    model.load_state_dict(s["model"]); ema.load_state_dict(s["ema"]); opt.load_state_dict(s["opt"]); step = s["step"]
    log("resumed at", step)
log("config", json.dumps(CFG), "params", sum(q.numel() for q in model.parameters()), "clips", NCLIP, "bs", BS)


def lr_at(s):
    if s < 100:
        return LR * (s + 1) / 100
    return LR * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * min(1.0, s / STEPS))))


def shift(p, alpha):
    n = 1 - p
    return 1 - alpha * n / (1 + (alpha - 1) * n)


def save():
    save_atomic(dict(model=model.state_dict(), ema=ema.state_dict(), opt=opt.state_dict(), step=step, cfg=CFG,
                     n_tokens=NTOK, bits=NBIT), ck)


t_start = time.time(); t0 = time.time(); acc = []; accb = {}
while step < STEPS:
    g = torch.Generator().manual_seed(7_000_000 + step)
    idx = torch.randint(0, NCLIP, (BS,), generator=g)
    Y = bits_all[idx].float()
    p = shift(torch.sigmoid(MU + SIGMA * torch.randn(BS, generator=g)), ALPHA)
    keep = torch.rand(Y.shape, generator=g) < p.view(-1, 1, 1)
    R = (torch.rand(Y.shape, generator=g) < 0.5).float()
    X = torch.where(keep, Y, R)
    prog = keep.float().mean((1, 2))          # realised keep ratio, as fed at sampling time
    ids, mask = ids_all[idx].clone(), mask_all[idx].clone()
    drop = torch.rand(BS, generator=g) < DROP
    ids[drop] = empty_ids; mask[drop] = empty_mask
    for gr in opt.param_groups: gr["lr"] = lr_at(step)
    gap = model(X, prog, ids, mask)
    per = Fn.binary_cross_entropy_with_logits(gap, Y, reduction="none").mean((1, 2))
    loss = per.mean()
    opt.zero_grad(); loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step(); step += 1
    with torch.no_grad():
        dcy = min(EMA, (1 + step) / (10 + step))
        for a, b in zip(ema.parameters(), model.parameters()):
            a.mul_(dcy).add_(b, alpha=1 - dcy)
    acc.append(float(loss))
    for pv, lv in zip(p.tolist(), per.tolist()):
        accb.setdefault(min(4, int(pv * 5)), []).append(lv)
    if step % 50 == 0:
        bk = " ".join(f"p{k/5:.1f}:{np.mean(v):.3f}" for k, v in sorted(accb.items()))
        log(f"step {step} loss {np.mean(acc):.4f} [{bk}] lr {lr_at(step):.2e} {(time.time()-t0)/len(acc):.3f}s/step")
        acc = []; accb = {}; t0 = time.time()
    if step % 100 == 0:
        save()
    if (time.time() - t_start) / 60 > MINUTES:
        save(); log("time budget reached at step", step); sys.exit(0)
save()
save_atomic(dict(ema=ema.state_dict(), cfg=CFG, n_tokens=NTOK, bits=NBIT, step=step), os.path.join(WORK, "refiner_final.pt"))
log("done")
