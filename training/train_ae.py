"""Train the HBQ video autoencoder. Resumable: nice -n 10 /usr/bin/python3 training/train_ae.py
Checkpoint: training/runs/ae.pt (every 200 steps), log: training/runs/ae.log.
Recipe: Adam 1.5e-3 (100-step warm-up, cosine to 5%), batch 12 mini-clips of 5 frames
(frame 0 + one random 4-frame group of a 17-frame clip: latent groups are independent, so this trains
exactly 2 of the 5 latent frames at 30% of the cost), loss = weighted MSE + 0.5 weighted L1 (weights 1 + 4 object + 8 edge pixels)
+ 2 * L1 of image-gradient differences + 0.01 * mean(pre_tanh^2). First 20% of steps continuous latents, then HBQ M=4 straight-through."""
import os, sys, time, math, json
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy as np
import torch
from grn_tiny import domain as D, hbq, ae as A, ae_eval
from grn_tiny.common import WORK, setup, save_atomic, Log

STEPS = int(os.environ.get("AE_STEPS", 2000))
BS = 12
LR = 1.5e-3
WARM_CONT = 0.2
setup()
log = Log("ae.log")
ck = os.path.join(WORK, "ae.pt")
model = A.VideoAE()
opt = torch.optim.Adam(model.parameters(), LR)
step = 0
if os.path.exists(ck):
    s = torch.load(ck)
    model.load_state_dict(s["model"]); opt.load_state_dict(s["opt"]); step = s["step"]
    log("resumed at step", step)
log("params", sum(p.numel() for p in model.parameters()))


def lr_at(s):
    if s < 100:
        return LR * (s + 1) / 100
    return LR * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * min(1.0, s / STEPS))))


def make_batch(rng):
    specs, x, m = D.batch(rng, BS, with_mask=True)
    idx = []
    for _ in range(BS):
        t = rng.integers(1, 5)
        idx.append([0] + list(range(4 * t - 3, 4 * t + 1)))
    idx = np.array(idx)
    xs = np.stack([x[i][:, idx[i]] for i in range(BS)])
    ms = np.stack([m[i][idx[i]] for i in range(BS)]).astype(np.float32)
    return torch.from_numpy(xs), torch.from_numpy(ms)


t0 = time.time(); acc = []
while step < STEPS:
    rng = np.random.default_rng(1_000_000 + step)
    x, m = make_batch(rng)
    for g in opt.param_groups: g["lr"] = lr_at(step)
    pre = model.encode_pre(x)
    z = torch.tanh(pre)
    if step >= WARM_CONT * STEPS:
        z = hbq.hbq_ste(z, 4)
    y = model.decode(z)
    loss, rec = A.reconstruction_loss(y, x, m)
    loss = loss + 0.01 * (pre ** 2).mean()
    opt.zero_grad(); loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step(); step += 1
    acc.append(float(rec))
    if step % 50 == 0:
        log(f"step {step} rec {np.mean(acc):.5f} lr {lr_at(step):.2e} {(time.time()-t0)/len(acc):.3f}s/step")
        acc = []; t0 = time.time()
    if step % 200 == 0 or step == STEPS:
        save_atomic(dict(model=model.state_dict(), opt=opt.state_dict(), step=step), ck)
    if step % 500 == 0 or step == STEPS:
        model.eval()
        r = ae_eval.evaluate(model, n=32, seed=999)
        model.train()
        log("eval", step, json.dumps(r))
        t0 = time.time()
save_atomic(dict(model=model.state_dict(), step=step), os.path.join(WORK, "ae_final.pt"))
log("done")
