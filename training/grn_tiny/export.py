"""ONNX export (opset 17), fixtures and manifest for models/grn-tiny-shapes/."""
import os, json, hashlib
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as Fn
import onnx
from . import ae as A, text as T, hbq, domain as D

OPSET = 17


class TextEncoderOnnx(nn.Module):
    def __init__(self, refiner):
        super().__init__(); self.m = refiner

    def forward(self, input_ids, attention_mask):
        return self.m.forward_text(input_ids, attention_mask)


class RefinerStepOnnx(nn.Module):
    def __init__(self, refiner):
        super().__init__(); self.m = refiner

    def forward(self, bits, progress, text_k, text_v, text_mask):
        return self.m.forward_visual(bits, progress, text_k, text_v, text_mask)


class VaeDecoderOnnx(nn.Module):
    """Same math as VideoAE.decode with batch 1 and a dynamic latent frame count."""
    def __init__(self, ae):
        super().__init__(); self.ae = ae

    def forward(self, z):
        ae = self.ae
        C, h, w = z.shape[1], z.shape[3], z.shape[4]
        zg = Fn.pixel_shuffle(z.transpose(1, 2).reshape(-1, C, h, w), A.PATCH)
        h, w = h * A.PATCH, w * A.PATCH
        g = ae.tdec(zg)
        f = g.reshape(-1, ae.cf, h, w)[3:]                # [4T'-3 frames, cf, h, w]
        y = ae.fdec(f)
        return y.reshape(1, -1, 3, y.shape[2], y.shape[3]).transpose(1, 2)


class VaeEncoderOnnx(nn.Module):
    def __init__(self, ae):
        super().__init__(); self.ae = ae

    def forward(self, frames):
        ae = self.ae
        H, W = frames.shape[3], frames.shape[4]
        f = ae.fenc(frames.transpose(1, 2).reshape(-1, 3, H, W))     # [F, cf, h, w]
        f = torch.cat([f[:1], f[:1], f[:1], f], 0)                     # causal replicate pad -> 4T'
        h, w = f.shape[2], f.shape[3]
        z = Fn.pixel_unshuffle(ae.tenc(f.reshape(-1, 4 * ae.cf, h, w)), A.PATCH)   # [T', C, h/2, w/2]
        return torch.tanh(z).unsqueeze(0).transpose(1, 2)


def export(module, args, path, in_names, out_names, dyn):
    module.eval()
    with torch.no_grad():
        torch.onnx.export(module, args, path, opset_version=OPSET, input_names=in_names, output_names=out_names,
                          dynamic_axes=dyn, do_constant_folding=True)
    m = onnx.load(path)
    onnx.checker.check_model(m)
    return m


def io_spec(model_proto):
    def conv(vi):
        t = vi.type.tensor_type
        dims = [d.dim_param if d.dim_param else d.dim_value for d in t.shape.dim]
        return dict(name=vi.name, shape=dims, dtype=onnx.TensorProto.DataType.Name(t.elem_type).lower())
    return dict(inputs=[conv(v) for v in model_proto.graph.input], outputs=[conv(v) for v in model_proto.graph.output])


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for blk in iter(lambda: f.read(1 << 20), b""):
            h.update(blk)
    return h.hexdigest()


def save_npy(d, name, arr, index, group):
    arr = np.ascontiguousarray(arr)
    if arr.dtype == np.float64: arr = arr.astype(np.float32)
    arr = arr.astype(arr.dtype.newbyteorder("<"))
    np.save(os.path.join(d, name + ".npy"), arr, allow_pickle=False)
    index.setdefault(group, {})[name] = dict(file=name + ".npy", shape=list(arr.shape), dtype=str(arr.dtype.name))
