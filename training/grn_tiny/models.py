"""Text encoder and GRN refiner (toy-scale GRN2b, GRN-METHOD.md 2.2).

Faithful: bidirectional transformer over [text | visual | progress]; pre-norm RMSNorm blocks, q/k/v/o
without bias, per-head RMSNorm on q and k, SwiGLU MLP; one-hot bit input (feature 2j + bit, j = m*C + c)
through a linear layer; progress token = 256-dim [cos, sin] sinusoid of p (not scaled), Linear-SiLU-Linear;
text attends only to text, visual + progress attend to text + all visual/progress of their stream.
Deviations: learned absolute positions (visual: one per (t,h,w) token) instead of 3-D RoPE; a small
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

    def qkv(self, x):
        y = self.n1(x)
        return self.qn(self.split(self.q(y))), self.kn(self.split(self.k(y))), self.split(self.v(y))

    def finish(self, x, att):
        x = x + self.o(self.merge(att))
        return x + self.mlp(self.n2(x))

    def forward_self(self, x, bias):
        q, k, v = self.qkv(x)
        return self.finish(x, attend(q, k, v, bias)), k, v

    def forward_cross(self, x, kt, vt, tbias):
        """visual/progress stream: keys = [cached text keys ; own keys]"""
        q, k, v = self.qkv(x)
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
    def __init__(self, vocab, n_tokens=80, bits=128, d=160, layers=4, heads=5, mlp=384, dt=96):
        super().__init__()
        self.bits, self.n_tokens, self.layers, self.heads, self.dh = bits, n_tokens, layers, heads, d // heads
        self.text = TextEncoder(vocab, d=dt)
        self.text_proj = nn.Linear(dt, d)
        self.word_embed = nn.Linear(2 * bits, d)
        self.vis_pos = nn.Parameter(torch.randn(n_tokens, d) * 0.02)
        self.pt = nn.Sequential(nn.Linear(256, d), nn.SiLU(), nn.Linear(d, d))
        self.blocks = nn.ModuleList([Block(d, heads, mlp) for _ in range(layers)])
        self.norm = RMSNorm(d)
        self.head = nn.Linear(d, bits)

    def forward_text(self, ids, mask):
        """-> text keys, values [B, layers, heads, L, dh] (k after q/k RMSNorm), used by every step"""
        x = self.text_proj(self.text(ids, mask))
        b = mask_bias(mask)
        ks, vs = [], []
        for blk in self.blocks:
            x, k, v = blk.forward_self(x, b)
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
            x = blk.forward_cross(x, tk[:, i], tv[:, i], tb)
        return self.head(self.norm(x[:, :N]))

    def forward(self, bits, progress, ids, mask):
        tk, tv = self.forward_text(ids, mask)
        return self.forward_visual(bits, progress, tk, tv, mask)
