"""Text encoder and GRN refiner (toy-scale GRN2b, GRN-METHOD.md 2.2).

Faithful: bidirectional transformer over [text | visual | progress]; pre-norm RMSNorm blocks, q/k/v/o
without bias, per-head RMSNorm on q and k, SwiGLU MLP; one-hot bit input (feature 2j + bit, j = m*C + c)
through a linear layer; progress token = 256-dim [cos, sin] sinusoid of p (not scaled), Linear-SiLU-Linear;
text attends only to text, visual + progress attend to text + all visual/progress of their stream.
Positions: 3-D RoPE as GRN-METHOD.md 2.2.2, scaled to our head size (interleaved pairs split 5/5/6 for a head
of 32, the method's 21/21/22 share; text token n at frame-axis n, the progress token at frame-axis 512,
visual token (k, a, b) at frame-axis 600 + k and height/width round(a*129/4), round(b*129/4) on the 1:1
virtual canvas), applied to q and k after their per-head RMSNorm; cached text keys are rotated.
Deviations: each visual token also gets a learned absolute position (the object must stay inside a 4x4 grid,
which relative positions alone do not tell the model); a small
word-level transformer text encoder (2 layers) instead of umt5; the head emits the logit gap l1-l0 per bit
directly (Linear d -> M*C; a 2-class linear head's gap is itself linear, so this is the same function family).
The attention is written so that text keys/values of every layer are computed by the text stream alone
and can be cached (forward_text) and reused at every refinement step (forward_visual).
"""
import math
import torch
import torch.nn as nn
import torch.nn.functional as Fn

NEG = -1e4


class RMSNorm(nn.Module):
    def __init__(self, d, eps=1e-6):
        super().__init__()
        self.w = nn.Parameter(torch.ones(d))
        self.eps = eps

    def forward(self, x):
        return x * torch.rsqrt((x * x).mean(-1, keepdim=True) + self.eps) * self.w


class SwiGLU(nn.Module):
    def __init__(self, d, h):
        super().__init__()
        self.gate = nn.Linear(d, h, bias=False)
        self.up = nn.Linear(d, h, bias=False)
        self.down = nn.Linear(h, d, bias=False)

    def forward(self, x):
        return self.down(Fn.silu(self.gate(x)) * self.up(x))


def rope_split(dh):
    """rotation pairs per axis (frame, height, width): the method's 21/21/22 of 64 pairs, scaled"""
    pairs = dh // 2
    a = pairs * 21 // 64
    return a, a, pairs - 2 * a


def rope_angles(positions, dh):
    """positions [L, 3] (frame, height, width) -> angles [L, dh/2]; axis group of n pairs uses 10000^(-i/n)"""
    out = []
    for axis, n in enumerate(rope_split(dh)):
        f = torch.exp(-math.log(10000.0) * torch.arange(n, dtype=torch.float64) / n)
        out.append(positions[:, axis:axis + 1].to(torch.float64) * f)
    return torch.cat(out, 1)


def rope_tables(positions, dh):
    """-> (cos, sin) [L, dh] float32, each angle repeated for its interleaved pair (x_2i, x_2i+1)"""
    a = rope_angles(positions, dh)
    return (torch.cos(a).repeat_interleave(2, 1).to(torch.float32),
            torch.sin(a).repeat_interleave(2, 1).to(torch.float32))


def rope(x, cos, sin):
    """x [B,H,L,dh]: rotate each pair (x_2i, x_2i+1) by its angle"""
    pair = x.reshape(-1, x.shape[1], x.shape[2], x.shape[3] // 2, 2)
    rot = torch.stack([-pair[..., 1], pair[..., 0]], -1).reshape(-1, x.shape[1], x.shape[2], x.shape[3])
    return x * cos + rot * sin


def text_positions(L):
    return torch.stack([torch.arange(L), torch.zeros(L, dtype=torch.long), torch.zeros(L, dtype=torch.long)], 1)


def visual_positions(grid, canvas=129):
    """visual tokens in (t, h, w) raster order, then the progress token; heights/widths stretched onto the
    method's 1:1 virtual canvas (U_h = U_w = 129), rounded half-to-even (Python's round, like torch.round)"""
    T_, H_, W_ = grid
    rows = [[600 + k, round(a * canvas / H_), round(b * canvas / W_)]
            for k in range(T_) for a in range(H_) for b in range(W_)]
    rows.append([512, 0, 0])
    return torch.tensor(rows, dtype=torch.long)


def attend(q, k, v, bias):
    """q [B,H,Lq,dh], k/v [B,H,Lk,dh], bias [B,1,1,Lk] additive"""
    a = torch.matmul(q, k.transpose(-1, -2)) * (1.0 / math.sqrt(q.shape[-1])) + bias
    return torch.matmul(torch.softmax(a, -1), v)


class Block(nn.Module):
    def __init__(self, d, heads, mlp):
        super().__init__()
        self.h = heads
        self.dh = d // heads
        self.n1 = RMSNorm(d)
        self.q = nn.Linear(d, d, bias=False)
        self.k = nn.Linear(d, d, bias=False)
        self.v = nn.Linear(d, d, bias=False)
        self.o = nn.Linear(d, d, bias=False)
        self.qn = RMSNorm(self.dh)
        self.kn = RMSNorm(self.dh)
        self.n2 = RMSNorm(d)
        self.mlp = SwiGLU(d, mlp)

    def split(self, x):
        return x.reshape(-1, x.shape[1], self.h, self.dh).transpose(1, 2)   # -1: batch stays dynamic in ONNX

    def merge(self, x):
        return x.transpose(1, 2).reshape(-1, x.shape[2], self.h * self.dh)

    def qkv(self, x, cos=None, sin=None):
        y = self.n1(x)
        q, k = self.qn(self.split(self.q(y))), self.kn(self.split(self.k(y)))
        if cos is not None:
            q, k = rope(q, cos, sin), rope(k, cos, sin)
        return q, k, self.split(self.v(y))

    def finish(self, x, att):
        x = x + self.o(self.merge(att))
        return x + self.mlp(self.n2(x))

    def forward_self(self, x, bias, cos=None, sin=None):
        q, k, v = self.qkv(x, cos, sin)
        return self.finish(x, attend(q, k, v, bias)), k, v

    def forward_cross(self, x, kt, vt, tbias, cos=None, sin=None):
        """visual/progress stream: keys = [cached text keys ; own keys]"""
        q, k, v = self.qkv(x, cos, sin)
        bias = torch.cat([tbias, (k[:, :1, :, :1] * 0.0).transpose(2, 3)], -1)   # [B,1,1,Lt+Lv], shape-safe
        return self.finish(x, attend(q, torch.cat([kt, k], 2), torch.cat([vt, v], 2), bias))


def mask_bias(mask):
    """int/float mask [B, L] (1 = real) -> additive bias [B,1,1,L]"""
    return ((1.0 - mask.to(torch.float32)) * NEG).reshape(-1, 1, 1, mask.shape[1])


class TextEncoder(nn.Module):
    def __init__(self, vocab, L=16, d=96, layers=2, heads=4):
        super().__init__()
        self.emb = nn.Embedding(vocab, d)
        self.pos = nn.Parameter(torch.randn(L, d) * 0.02)
        self.blocks = nn.ModuleList([Block(d, heads, 3 * d) for _ in range(layers)])
        self.norm = RMSNorm(d)

    def forward(self, ids, mask):
        x = self.emb(ids) + self.pos[: ids.shape[1]]
        b = mask_bias(mask)
        for blk in self.blocks:
            x, _, _ = blk.forward_self(x, b)
        return self.norm(x)


def progress_embed(p, dim=256):
    """GRN pt_embedder sinusoid: [cos(p f_j), sin(p f_j)], f_j = 10000^(-j/128), p not scaled"""
    half = dim // 2
    f = torch.exp(-math.log(10000.0) * torch.arange(half, dtype=torch.float32) / half)
    a = p.reshape(-1, 1).to(torch.float32) * f
    return torch.cat([torch.cos(a), torch.sin(a)], -1)


class Refiner(nn.Module):
    def __init__(self, vocab, n_tokens=80, bits=128, d=160, layers=4, heads=5, mlp=384, dt=96, grid=(5, 4, 4),
                 text_len=16, text_layers=2):
        super().__init__()
        assert grid[0] * grid[1] * grid[2] == n_tokens
        # tables are constants of the graph (not in the state dict): recomputed, as the method's code does
        tc, ts = rope_tables(text_positions(text_len), d // heads)
        vc, vs = rope_tables(visual_positions(grid), d // heads)
        self.register_buffer("text_cos", tc, persistent=False)
        self.register_buffer("text_sin", ts, persistent=False)
        self.register_buffer("vis_cos", vc, persistent=False)
        self.register_buffer("vis_sin", vs, persistent=False)
        self.bits, self.n_tokens, self.layers, self.heads, self.dh = bits, n_tokens, layers, heads, d // heads
        self.text = TextEncoder(vocab, d=dt, layers=text_layers)
        self.text_proj = nn.Linear(dt, d)
        self.word_embed = nn.Linear(2 * bits, d)
        self.vis_pos = nn.Parameter(torch.randn(n_tokens, d) * 0.02)
        self.pt = nn.Sequential(nn.Linear(256, d), nn.SiLU(), nn.Linear(d, d))
        self.blocks = nn.ModuleList([Block(d, heads, mlp) for _ in range(layers)])
        self.norm = RMSNorm(d)
        self.head = nn.Linear(d, bits)

    def forward_text(self, ids, mask):
        """-> text keys, values [B, layers, heads, L, dh] (k after q/k RMSNorm and RoPE), used by every step"""
        x = self.text_proj(self.text(ids, mask))
        b = mask_bias(mask)
        L = ids.shape[1]
        cos, sin = self.text_cos[:L], self.text_sin[:L]
        ks, vs = [], []
        for blk in self.blocks:
            x, k, v = blk.forward_self(x, b, cos, sin)
            ks.append(k); vs.append(v)
        return torch.stack(ks, 1), torch.stack(vs, 1)

    def forward_visual(self, bits, progress, tk, tv, tmask):
        """bits float [B,N,M*C] in {0,1}; progress [B]; tk/tv [B,layers,heads,L,dh]; tmask [B,L]
        -> logit gaps [B,N,M*C]"""
        N, K = bits.shape[1], bits.shape[2]
        onehot = torch.stack([1.0 - bits, bits], -1).reshape(-1, N, 2 * K)   # feature 2j + bit
        x = self.word_embed(onehot) + self.vis_pos[:N]
        x = torch.cat([x, self.pt(progress_embed(progress)).unsqueeze(1)], 1)
        tb = mask_bias(tmask)
        for i, blk in enumerate(self.blocks):
            x = blk.forward_cross(x, tk[:, i], tv[:, i], tb, self.vis_cos, self.vis_sin)
        return self.head(self.norm(x[:, :N]))

    def forward(self, bits, progress, ids, mask):
        tk, tv = self.forward_text(ids, mask)
        return self.forward_visual(bits, progress, tk, tv, mask)
