"""Fine-tune the autoencoder's decoder on the refiner's own latents (a stated deviation from GRN, whose VAE is
trained once before the generator). Resumable:
  nice -n 10 /usr/bin/python3 training/tune_decoder.py
Why: the trained refiner's samples carry small errors in the fine HBQ bits along outlines; the decoder was
trained only on latents of real clips and renders those errors as wobbly, rounded outlines (square corners
fall below the evaluator's fill of 0.89). Here the decoder learns to map refiner-made latents back to the
clip they came from.
Phase 1, pairs (training/runs/decoder_pairs.pt, chunks of 250): a fresh clip (seeds 8_000_000 + chunk) is
encoded and HBQ-quantised to bits Y. Then the loop of GRN-METHOD.md 3.1 runs with the bundle's CFG weight and
temperature on a schedule the default sampler can produce: the entropy-guided one with a budget of 5..45
passes after the 5-pass warm-up (45 is the fixed 50-pass schedule). It is entered at a pass whose input keep
ratio lies in [DEC_KEEP_LO, DEC_KEEP_HI], with the input formed as in training (each bit of Y kept with that
ratio, else a random bit), and run to its last pass. The final prediction Y' keeps the clip's layout
(positions, shapes, colours are fixed by the kept bits) but has the refiner's errors in the details.
Phase 2, tuning (checkpoint training/runs/decoder_tune.pt, result training/runs/ae_tuned.pt): the encoder is
frozen (the refiner's latent space must not move); the decoder trains with train_ae.py's loss on batches of
6 (Y' -> clip) and 6 (Y -> clip) pairs, so reconstructions of real latents stay close (Adam 5e-4, cosine to 5%).
Pairs are tied to the refiner checkpoint and sampler settings: a new refiner starts them again.
Env: DEC_PAIRS (2000), DEC_STEPS (1500), DEC_BS_GEN / DEC_BS_REAL (6 / 6), DEC_KEEP_LO / DEC_KEEP_HI (0.34 / 0.70),
SAMPLER_W (2), SAMPLER_TAU (0.8)."""
import os, sys, time, math, json, hashlib
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy as np
import torch
from grn_tiny import domain as D, hbq, ae as A, ae_eval, runtime as RT, text as T, sampler as S
from grn_tiny.common import WORK, setup, save_atomic, Log

PAIRS = int(os.environ.get("DEC_PAIRS", 2000))
STEPS = int(os.environ.get("DEC_STEPS", 1500))
W = float(os.environ.get("SAMPLER_W", 2.0))
TAU = float(os.environ.get("SAMPLER_TAU", 0.8))
KEEP_LO, KEEP_HI = float(os.environ.get("DEC_KEEP_LO", 0.34)), float(os.environ.get("DEC_KEEP_HI", 0.70))
N_LO, N_HI, TMAX = 5, 45, 50
CHUNK, SUB = 250, 50
LR = 5e-4
BS_GEN, BS_REAL = int(os.environ.get("DEC_BS_GEN", 6)), int(os.environ.get("DEC_BS_REAL", 6))
setup(); log = Log("decoder.log")
ae = RT.load_ae(os.path.join(WORK, "ae_final.pt"))


def schedule_ratios(n_after_warmup):
    """keep ratio after every pass of the bundle's entropy-guided loop (wp 5, Tmax 50) whose budget after the
    warm-up is n_after_warmup passes; 45 is the fixed 50-pass schedule"""
    sch = S.Schedule("entropy", Tmax=TMAX, Tmin=10, wp=5, k=0.0, b=float(n_after_warmup))
    ratios, s = [], 0
    while True:
        pn, last = sch.step(s, 0.0)
        if last:
            return ratios
        ratios.append(pn); s += 1


@torch.no_grad()
def refine_from(ref, Y, ids, mask, ratios, s0, g):
    """enter the loop with keep ratios `ratios` at pass s0, Y kept with ratio ratios[s0-1], run to its last
    pass; -> final prediction bits [B,N,K] uint8"""
    tk_c, tv_c = ref.forward_text(ids, mask)
    e_ids, e_mask = (torch.tensor(v).unsqueeze(0) for v in T.encode(""))
    tk_u, tv_u = ref.forward_text(e_ids, e_mask)
    B = Y.shape[0]
    tk = torch.cat([tk_c, tk_u.expand(B, -1, -1, -1, -1)]); tv = torch.cat([tv_c, tv_u.expand(B, -1, -1, -1, -1)])
    tm = torch.cat([mask, e_mask.expand(B, -1)])
    R = (torch.rand(Y.shape, generator=g) < 0.5).float()
    keep = torch.rand(Y.shape, generator=g) < ratios[s0 - 1]
    X = torch.where(keep, Y, R); p = keep.float().mean((1, 2))
    for s in range(s0, len(ratios) + 1):
        gap = ref.forward_visual(torch.cat([X, X]), torch.cat([p, p]), tk, tv, tm).double()
        gc, gu = gap[:B], gap[B:]
        P1 = torch.sigmoid((gu + W * (gc - gu)) / TAU)
        Yp = (torch.rand(Y.shape, generator=g, dtype=torch.float64) < P1).float()
        if s == len(ratios):
            return Yp.to(torch.uint8)
        keep = torch.rand(Y.shape, generator=g) < ratios[s]
        X = torch.where(keep, Yp, R); p = keep.float().mean((1, 2))


def entry(rng):
    """a schedule the default sampler can run (budget after warm-up 5..45) and a pass to enter it at"""
    ratios = schedule_ratios(int(rng.integers(N_LO, N_HI + 1)))
    inside = [s for s in range(6, len(ratios) + 1) if KEEP_LO <= ratios[s - 1] <= KEEP_HI]
    if not inside:   # short budgets can jump over the range: take the pass whose input ratio is nearest to it
        inside = [min(range(6, len(ratios) + 1), key=lambda s: abs(ratios[s - 1] - (KEEP_LO + KEEP_HI) / 2))]
    return ratios, int(inside[rng.integers(len(inside))])


def pairs_key():
    """pairs and the tuning checkpoint belong to one refiner and one set of sampler settings"""
    digest = hashlib.sha256(open(os.path.join(WORK, "refiner_final.pt"), "rb").read()).hexdigest()[:16]
    return dict(refiner=digest, w=W, tau=TAU, keep=[KEEP_LO, KEEP_HI], budget=[N_LO, N_HI])


def make_pairs():
    out = os.path.join(WORK, "decoder_pairs.pt")
    key = pairs_key()
    parts = torch.load(out) if os.path.exists(out) else None
    if parts is None or parts.get("key") != key:
        if parts is not None:
            log("pairs were made for", parts.get("key"), "- starting again for", key)
        for stale in (out, os.path.join(WORK, "decoder_tune.pt")):
            if os.path.exists(stale):
                os.remove(stale)
        parts = dict(gen=[], real=[], specs=[], key=key)
    done = sum(len(b) for b in parts["gen"])
    if done >= PAIRS:
        return parts
    ref, _ = RT.load_refiner()
    t0 = time.time()
    for c0 in range(done, PAIRS, CHUNK):
        rng = np.random.default_rng(8_000_000 + c0)
        g = torch.Generator().manual_seed(8_000_000 + c0)
        gen, real, specs = [], [], []
        for i in range(0, CHUNK, SUB):
            sp, x = D.batch(rng, SUB)
            with torch.no_grad():
                Y = hbq.latent_to_bits(ae.encode(torch.from_numpy(x)), 4)
            enc = [T.encode(s["caption"]) for s in sp]
            ids = torch.tensor([e[0] for e in enc]); mask = torch.tensor([e[1] for e in enc])
            ratios, s0 = entry(rng)
            gen.append(refine_from(ref, Y, ids, mask, ratios, s0, g)); real.append(Y.to(torch.uint8)); specs.extend(sp)
        parts["gen"].append(torch.cat(gen)); parts["real"].append(torch.cat(real)); parts["specs"].extend(specs)
        save_atomic(parts, out)
        log("pairs", c0 + CHUNK, "%.0fs" % (time.time() - t0))
    return parts


def lr_at(s):
    if s < 50:
        return LR * (s + 1) / 50
    return LR * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * min(1.0, s / STEPS))))


def mini_clip(bits, spec, t):
    """latent frames 0 and t of one pair -> (latent [C,2,4,4], frames [3,5,H,W], object mask [5,H,W])"""
    z = hbq.bits_to_latent(bits.float().unsqueeze(0), RT.Generator.LAT, 4)[0][:, [0, t]]
    idx = [0] + list(range(4 * t - 3, 4 * t + 1))
    return z, D.to_model(D.render(spec))[:, idx], D.object_mask(spec)[idx]


def tune(parts):
    gen, real, specs = torch.cat(parts["gen"]), torch.cat(parts["real"]), parts["specs"]
    n = len(specs)
    for q in ae.parameters():
        q.requires_grad_(False)
    dec = list(ae.tdec.parameters()) + list(ae.fdec.parameters())
    for q in dec:
        q.requires_grad_(True)
    opt = torch.optim.Adam(dec, LR)
    ck = os.path.join(WORK, "decoder_tune.pt")
    step = 0
    if os.path.exists(ck):
        s = torch.load(ck)
        ae.load_state_dict(s["model"]); opt.load_state_dict(s["opt"]); step = s["step"]
        log("resumed at step", step)
    ae.train()
    t0 = time.time(); acc = []
    while step < STEPS:
        rng = np.random.default_rng(9_000_000 + step)
        pick = rng.integers(0, n, BS_GEN + BS_REAL)
        zs, xs, ms = [], [], []
        for j, i in enumerate(pick):
            z, x, m = mini_clip(gen[i] if j < BS_GEN else real[i], specs[i], int(rng.integers(1, 5)))
            zs.append(z); xs.append(torch.from_numpy(x)); ms.append(torch.from_numpy(m.astype(np.float32)))
        z, x, m = torch.stack(zs), torch.stack(xs), torch.stack(ms)
        for gr in opt.param_groups: gr["lr"] = lr_at(step)
        y = ae.decode(z)
        loss, rec = A.reconstruction_loss(y, x, m)
        opt.zero_grad(); loss.backward()
        torch.nn.utils.clip_grad_norm_(dec, 1.0)
        opt.step(); step += 1
        acc.append(float(rec))
        if step % 50 == 0:
            log(f"step {step} rec {np.mean(acc):.5f} lr {lr_at(step):.2e} {(time.time()-t0)/len(acc):.3f}s/step")
            acc = []; t0 = time.time()
        if step % 200 == 0 or step == STEPS:
            save_atomic(dict(model=ae.state_dict(), opt=opt.state_dict(), step=step), ck)
    ae.eval()
    r = ae_eval.evaluate(ae, n=32, seed=999)
    log("eval tuned decoder on real latents", json.dumps(r))
    save_atomic(dict(model=ae.state_dict(), step=step, tuned=dict(pairs=n, steps=STEPS, w=W, tau=TAU,
                                                                   keep=[KEEP_LO, KEEP_HI], budget_after_warmup=[N_LO, N_HI])),
                os.path.join(WORK, "ae_tuned.pt"))
    log("done")


tune(make_pairs())
