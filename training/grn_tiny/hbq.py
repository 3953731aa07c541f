"""HBQ (GRN-METHOD.md 1.1-1.3): per-scalar successive approximation, M rounds, strict '>'.
Bit order inside a token: j = m*C + c (round-major)."""
import torch


def hbq_bits(z, M=4):
    """z [..., C] in (-1,1) -> bits [..., M*C] float {0,1}, j = m*C + c"""
    q = torch.zeros_like(z)
    bits = []
    for m in range(1, M + 1):
        b = (z > q).to(z.dtype)
        q = q + (2.0 ** -m) * (2 * b - 1)
        bits.append(b)
    return torch.cat(bits, -1)


def hbq_dequant(bits, M=4):
    """bits [..., M*C] -> z_hat [..., C] = sum_m 2^-(m+1) (2 b_m - 1)"""
    C = bits.shape[-1] // M
    z = 0
    for m in range(M):
        z = z + (2.0 ** -(m + 1)) * (2 * bits[..., m * C:(m + 1) * C] - 1)
    return z


def hbq_quant(z, M=4):
    return hbq_dequant(hbq_bits(z, M), M)


def hbq_ste(z, M=4):
    """straight-through estimator: forward = HBQ reconstruction, backward = identity"""
    return z + (hbq_quant(z, M) - z).detach()


def latent_to_bits(z, M=4):
    """z [B, C, T, h, w] -> bits [B, N=T*h*w (raster t,h,w), M*C]"""
    B, C = z.shape[:2]
    return hbq_bits(z.reshape(B, C, -1).transpose(1, 2), M)


def bits_to_latent(bits, shape, M=4):
    """bits [B, N, M*C] -> z [B, C, T, h, w]"""
    B = bits.shape[0]
    C, T, h, w = shape
    return hbq_dequant(bits, M).transpose(1, 2).reshape(B, C, T, h, w)
