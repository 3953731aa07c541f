"""Rebuild the autoencoder checkpoint from the shipped bundle, so that refiner work can continue on a fresh
clone without the 20-minute autoencoder run (training/runs/ is not committed).
  /usr/bin/python3 training/recover_ae.py        -> training/runs/ae_final.pt
Conv weights keep their module names in the ONNX graphs. Each GroupNorm is exported as InstanceNorm then a
Mul (weight) and an Add (bias) whose initializers lose their names; they appear in forward order, which
is the order of GroupNorm modules in the encoder and decoder. The result is checked against the bundle's
fixtures (the ONNX outputs) before it is written."""
import os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy as np, onnx, torch
from onnx import numpy_helper
from grn_tiny import ae as A
from grn_tiny.common import WORK, BUNDLE, save_atomic

ae = A.VideoAE()
state = ae.state_dict()
group_norms = {"enc": [n for n, m in ae.named_modules() if isinstance(m, torch.nn.GroupNorm) and n.startswith("fenc")],
               "dec": [n for n, m in ae.named_modules() if isinstance(m, torch.nn.GroupNorm) and n.startswith("fdec")]}
loaded = set()
for part, fname in (("enc", "vae_encoder.onnx"), ("dec", "vae_decoder.onnx")):
    unnamed = []
    for init in onnx.load(os.path.join(BUNDLE, fname)).graph.initializer:
        arr = numpy_helper.to_array(init)
        if init.name.startswith("ae."):
            key = init.name[3:]
            state[key] = torch.from_numpy(arr.copy()); loaded.add(key)
        elif arr.size > 1:
            unnamed.append(arr)
    norms = group_norms[part]
    if len(unnamed) != 2 * len(norms):
        sys.exit(f"{fname}: {len(unnamed)} unnamed initializers for {len(norms)} GroupNorms")
    for i, n in enumerate(norms):
        state[n + ".weight"] = torch.from_numpy(unnamed[2 * i].reshape(-1).copy())
        state[n + ".bias"] = torch.from_numpy(unnamed[2 * i + 1].reshape(-1).copy())
        loaded |= {n + ".weight", n + ".bias"}
missing = set(state) - loaded
if missing:
    sys.exit(f"not in the bundle: {sorted(missing)}")
ae.load_state_dict(state); ae.eval()

fx = os.path.join(BUNDLE, "fixtures")
with torch.no_grad():
    z = ae.encode(torch.from_numpy(np.load(os.path.join(fx, "vae_encoder.frames.npy"))))
    y = ae.decode(torch.from_numpy(np.load(os.path.join(fx, "vae_decoder.z.npy"))))
dz = float((z - torch.from_numpy(np.load(os.path.join(fx, "vae_encoder.z.npy")))).abs().max())
dy = float((y - torch.from_numpy(np.load(os.path.join(fx, "vae_decoder.frames.npy")))).abs().max())
print(f"max difference to the bundle fixtures: encoder {dz:.2e}, decoder {dy:.2e}")
if dz > 1e-4 or dy > 1e-4:
    sys.exit("recovered autoencoder does not reproduce the bundle")
save_atomic(dict(model=ae.state_dict(), step=None, recovered_from=BUNDLE), os.path.join(WORK, "ae_final.pt"))
print("wrote", os.path.join(WORK, "ae_final.pt"))
