"""HBQ video autoencoder (toy scale).

Deviation from GRN's causal 3D-conv VAE (GRN-METHOD.md 1.5), allowed by the issue: a shared per-frame
2D conv encoder/decoder plus causal temporal grouping. Frame 0 forms latent frame 0 alone (its feature
is replicated 4x, i.e. causal replicate padding), frames 4t-3..4t form latent frame t. Each latent frame
depends only on its own frames (so it is causal, and the decoder has no cross-frame state: decoding one
latent frame at a time needs no cache).
Latent: the networks work on an 8x8 grid of 8 channels (spatial stride 8) and the bundle's latent is its
space-to-depth [32, 4, 4] (channel = 4*c + 2*dy + dx, pixel_unshuffle(2)), so a refiner token is a 2x2 patch
of grid cells, the usual 1x2x2 patchify. An 8x8 grid keeps each 8-px cell's part of an outline local, which
a 4x4 grid of 16-px cells could not learn in our CPU budget (shapes came out as blobs). tanh on the latent.
"""
import torch
import torch.nn as nn
import torch.nn.functional as Fn

C_GRID = 8      # channels of the 8x8 grid the networks see
PATCH = 2       # space-to-depth factor between the grid and the bundle's latent
C_LAT = C_GRID * PATCH * PATCH   # 32 channels of the bundle's latent
T_STRIDE = 4
S_STRIDE = 16   # of the bundle's latent; the grid itself has stride 8


class Res(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.n1 = nn.GroupNorm(8, c)
        self.c1 = nn.Conv2d(c, c, 3, padding=1)
        self.n2 = nn.GroupNorm(8, c)
        self.c2 = nn.Conv2d(c, c, 3, padding=1)

    def forward(self, x):
        h = self.c1(Fn.silu(self.n1(x)))
        return x + self.c2(Fn.silu(self.n2(h)))


class FrameEncoder(nn.Module):
    def __init__(self, w=(64, 96), cf=96):
        super().__init__()
        self.inp = nn.Conv2d(48, w[0], 3, padding=1)          # after pixel_unshuffle(4): 16x16
        self.r1 = Res(w[0])
        self.d2 = nn.Conv2d(w[0], cf, 3, stride=2, padding=1)  # 8x8
        self.r2 = Res(cf)
        self.r3 = Res(cf)

    def forward(self, x):
        x = Fn.pixel_unshuffle(x, 4)
        x = self.r1(self.inp(x))
        return self.r3(self.r2(self.d2(x)))


class FrameDecoder(nn.Module):
    def __init__(self, w=(96, 64, 48), cf=96):
        super().__init__()
        self.r3 = Res(cf)
        self.r2a = Res(cf)
        # sub-pixel (conv + pixel_shuffle) upsampling: nearest upsampling cannot create structure inside a
        # latent cell (a uniform cell stays uniform through 3x3 convs), which made shapes blobs and stripes flat
        self.u1 = nn.Conv2d(cf, 4 * w[1], 3, padding=1)    # 8x8 -> 16x16
        self.r1 = Res(w[1])
        self.u0 = nn.Conv2d(w[1], 4 * w[2], 3, padding=1)  # -> 32x32
        self.r0 = Res(w[2])
        self.n = nn.GroupNorm(8, w[2])
        self.out = nn.Conv2d(w[2], 12, 3, padding=1)   # pixel_shuffle(2) -> 64x64x3

    def forward(self, x):
        x = self.r2a(self.r3(x))
        x = self.r1(Fn.pixel_shuffle(self.u1(x), 2))
        x = self.r0(Fn.pixel_shuffle(self.u0(x), 2))
        return Fn.pixel_shuffle(self.out(Fn.silu(self.n(x))), 2)


class VideoAE(nn.Module):
    def __init__(self, cf=96, ct=192):
        super().__init__()
        self.cf = cf
        self.fenc = FrameEncoder(cf=cf)
        self.tenc = nn.Sequential(nn.Conv2d(4 * cf, ct, 1), nn.SiLU(), nn.Conv2d(ct, C_GRID, 3, padding=1))
        self.tdec = nn.Sequential(nn.Conv2d(C_GRID, ct, 3, padding=1), nn.SiLU(), nn.Conv2d(ct, 4 * cf, 1))
        self.fdec = FrameDecoder(cf=cf)

    def encode_pre(self, x):
        """x [B,3,F,H,W] in [-1,1] -> pre-tanh latent [B,C,T',h,w]"""
        B, _, Fr, H, W = x.shape
        Tl = 1 + (Fr - 1) // 4
        f = self.fenc(x.transpose(1, 2).reshape(B * Fr, 3, H, W))      # [B*F, cf, h, w]
        h, w = f.shape[-2:]
        f = f.reshape(B, Fr, self.cf, h, w)
        f = torch.cat([f[:, :1].repeat(1, 4, 1, 1, 1), f[:, 1:]], 1)    # causal replicate pad: [B, 4T', cf, h, w]
        g = f.reshape(B * Tl, 4 * self.cf, h, w)
        z = Fn.pixel_unshuffle(self.tenc(g), PATCH)                     # grid [C_GRID, 8, 8] -> latent [C_LAT, 4, 4]
        return z.reshape(B, Tl, C_LAT, h // PATCH, w // PATCH).transpose(1, 2)

    def encode(self, x):
        return torch.tanh(self.encode_pre(x))

    def decode(self, z):
        """z [B,C,T',h,w] -> frames [B,3,1+4(T'-1),H,W]"""
        B, C, Tl, h, w = z.shape
        z = Fn.pixel_shuffle(z.transpose(1, 2).reshape(B * Tl, C, h, w), PATCH)
        h, w = h * PATCH, w * PATCH
        g = self.tdec(z)                                                # [B*T', 4cf, h, w] on the grid
        f = g.reshape(B, Tl * 4, self.cf, h, w)[:, 3:]                  # latent frame 0 -> its last slot only
        Fr = f.shape[1]
        y = self.fdec(f.reshape(B * Fr, self.cf, h, w))
        H, W = y.shape[-2:]
        return y.reshape(B, Fr, 3, H, W).transpose(1, 2)


def reconstruction_loss(y, x, m):
    """frames y, x [B,3,F,H,W], object mask m [B,F,H,W] -> (loss, weighted MSE): MSE + 0.5 L1, both weighted
    1 + 4 object + 8 edge pixels, + 2 L1 of image-gradient differences (outlines are what the evaluator reads)"""
    mm = m.reshape(-1, 1, m.shape[-2], m.shape[-1])
    edge = (Fn.max_pool2d(mm, 5, 1, 2) - (-Fn.max_pool2d(-mm, 5, 1, 2))).reshape(m.shape)
    w = (1 + 4 * m + 8 * edge).unsqueeze(1)
    wm = w.mean()
    rec = (w * (y - x) ** 2).mean() / wm
    l1 = (w * (y - x).abs()).mean() / wm
    gx = ((y[..., 1:] - y[..., :-1]) - (x[..., 1:] - x[..., :-1])).abs().mean()
    gy = ((y[..., 1:, :] - y[..., :-1, :]) - (x[..., 1:, :] - x[..., :-1, :])).abs().mean()
    return rec + 0.5 * l1 + 2.0 * (gx + gy), rec
