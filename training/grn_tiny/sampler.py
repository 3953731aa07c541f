"""Reference GRN sampler (GRN-METHOD.md 3.1) with the entropy-guided rule (4.2).

Random draws come from an explicit per-sample uniform stream (SplitMix64, reproducible in Java):
  state += 0x9E3779B97F4A7C15; z = state;
  z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9; z = (z ^ (z >>> 27)) * 0x94D049BB133111EB; z ^= z >>> 31
  u = (z >>> 11) * 2^-53   (double in [0,1)); state starts at the seed.
Consumption order (n = N*K bits, flattened token-major: index = token*K + j, j = m*C + c):
  R: n draws, R = u < 0.5. Then every forward pass s consumes n draws for Y (Y = u < P1)
  followed by n draws for the keep mask (keep = u < p_next), also on the last pass.
All sampler arithmetic is float64 on the float32 network outputs.
"""
import math
import numpy as np

GOLD = np.uint64(0x9E3779B97F4A7C15)
M1 = np.uint64(0xBF58476D1CE4E5B9)
M2 = np.uint64(0x94D049BB133111EB)


class SplitMix64:
    def __init__(self, seed):
        self.state = np.uint64(seed & 0xFFFFFFFFFFFFFFFF)
        self.count = 0

    def uniform(self, n):
        with np.errstate(over="ignore"):
            i = np.arange(1, n + 1, dtype=np.uint64)
            z = self.state + i * GOLD
            self.state = self.state + np.uint64(n) * GOLD
            z = (z ^ (z >> np.uint64(30))) * M1
            z = (z ^ (z >> np.uint64(27))) * M2
            z = z ^ (z >> np.uint64(31))
        self.count += n
        return (z >> np.uint64(11)).astype(np.float64) * (2.0 ** -53)


def keep_ratio(u):
    return 0.999 * (1.0 - math.cos(math.pi / 2 * min(1.0, u)))


def binary_entropy(g):
    """mean binary entropy (bits) of sigmoid(g), g float array"""
    p = 1.0 / (1.0 + np.exp(-np.asarray(g, np.float64)))
    p = np.clip(p, 1e-12, 1 - 1e-12)
    return float(np.mean(-p * np.log2(p) - (1 - p) * np.log2(1 - p)))


def n_after_warmup(H, k, b, Tmin, Tmax, wp):
    """N = clip(round(k*H + b), Tmin - wp, Tmax - wp); round = floor(x + 0.5)"""
    return int(min(max(math.floor(k * H + b + 0.5), Tmin - wp), Tmax - wp))


class Schedule:
    """Per-sample step rule. mode 'fixed': Tmax passes, u = (s+1)/(Tmax-1).
    mode 'entropy': warm-up wp passes with u = (s+1)/T, T = Tmax-1; at pass s = wp, H* = entropy of the
    conditional unguided tau=1 prediction, N = clip(round(k H* + b), Tmin-wp, Tmax-wp) passes follow the
    warm-up (wp + N passes in total); for s >= wp: u = wp/T + (1 - wp/T)(s+1-wp)/(N-1).
    Deviation note: the issue/4.2 formula divides by N; we divide by N-1 so that N counts the passes after
    the warm-up including the final one (ratio at its maximum for the last pass's input, as in the fixed
    loop), total passes stay in [Tmin, Tmax], and N = Tmax - wp reproduces the fixed schedule exactly."""

    def __init__(self, mode="fixed", Tmax=50, Tmin=10, wp=5, k=0.0, b=45.0):
        self.mode, self.Tmax, self.Tmin, self.wp, self.k, self.b = mode, Tmax, Tmin, wp, k, b
        self.N = None
        self.Hstar = None

    def step(self, s, H):
        """after pass s (with conditional entropy H): -> (p_next, last)"""
        T = self.Tmax - 1
        if self.mode == "fixed":
            return keep_ratio((s + 1) / T), s == self.Tmax - 1
        wp = self.wp
        if s < wp:
            return keep_ratio((s + 1) / T), False
        if s == wp:
            self.Hstar = H
            self.N = n_after_warmup(H, self.k, self.b, self.Tmin, self.Tmax, wp)
        u = 1.0 if self.N <= 1 else wp / T + (1 - wp / T) * (s + 1 - wp) / (self.N - 1)
        return keep_ratio(u), s == wp + self.N - 1


def sample_batch(predict, n_tokens, n_bits, seeds, w=3.0, tau=1.0, schedule_fn=None, record=False):
    """predict(X float32 [b,N,K], p float32 [b], idx list) -> (g_cond, g_uncond) float32 [b,N,K];
    idx = indices of the active samples (so the caller can pick their text K/V).
    Returns final bits Y [B,N,K] uint8, per-sample info (passes, entropies, ratios, optional trace)."""
    B = len(seeds)
    n = n_tokens * n_bits
    rngs = [SplitMix64(s) for s in seeds]
    R = np.stack([(r.uniform(n) < 0.5).reshape(n_tokens, n_bits) for r in rngs]).astype(np.uint8)
    X = R.copy()
    p = np.zeros(B, np.float64)
    Yout = np.zeros_like(R)
    sched = [schedule_fn() if schedule_fn else Schedule() for _ in range(B)]
    info = [dict(entropy=[], p_next=[], realized=[], passes=0, trace_X=[], trace_Y=[]) for _ in range(B)]
    active = list(range(B))
    s = 0
    while active:
        gc, gu = predict(X[active].astype(np.float32), p[active].astype(np.float32), active)
        still = []
        for a, i in enumerate(active):
            c = gc[a].astype(np.float64); u_ = gu[a].astype(np.float64)
            H = binary_entropy(c)
            l = (u_ + w * (c - u_)) / tau
            P1 = 1.0 / (1.0 + np.exp(-l))
            Y = (rngs[i].uniform(n).reshape(n_tokens, n_bits) < P1).astype(np.uint8)
            pn, last = sched[i].step(s, H)
            keep = rngs[i].uniform(n).reshape(n_tokens, n_bits) < pn
            if record:
                info[i]["trace_X"].append(X[i].copy()); info[i]["trace_Y"].append(Y.copy())
            X[i] = np.where(keep, Y, R[i])
            p[i] = keep.mean()
            inf = info[i]
            inf["entropy"].append(H); inf["p_next"].append(pn); inf["realized"].append(float(p[i]))
            inf["passes"] = s + 1
            if last:
                Yout[i] = Y
                inf["N_after_warmup"] = sched[i].N; inf["Hstar"] = sched[i].Hstar
            else:
                still.append(i)
        active = still
        s += 1
    return Yout, info
