"""Pre-encode training clips to HBQ bits with the trained AE (resumable, chunks of 1000).
nice -n 10 /usr/bin/python3 training/encode_data.py [n_clips]   -> training/runs/latents.pt"""
import os, sys, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy as np, torch
from grn_tiny import domain as D, hbq, ae as A, text as T
from grn_tiny.common import WORK, setup, save_atomic, Log
setup(); log = Log("encode.log")
n = int(sys.argv[1]) if len(sys.argv) > 1 else 12000
ae = A.VideoAE(); ae.load_state_dict(torch.load(os.path.join(WORK, "ae_final.pt"))["model"]); ae.eval()
out = os.path.join(WORK, "latents.pt")
parts = torch.load(out + ".part") if os.path.exists(out + ".part") else dict(bits=[], ids=[], mask=[], caps=[])
done = sum(len(b) for b in parts["bits"])
t0 = time.time()
with torch.no_grad():
    for c0 in range(done, n, 1000):
        rng = np.random.default_rng(5_000_000 + c0)
        bits, ids, mask, caps = [], [], [], []
        for i in range(0, 1000, 50):
            specs, x = D.batch(rng, 50)
            z = ae.encode(torch.from_numpy(x))
            bits.append(hbq.latent_to_bits(z, 4).to(torch.uint8))
            for s in specs:
                a, m = T.encode(s["caption"]); ids.append(a); mask.append(m); caps.append(s["caption"])
        parts["bits"].append(torch.cat(bits)); parts["ids"].append(torch.tensor(ids)); parts["mask"].append(torch.tensor(mask))
        parts["caps"].extend(caps)
        save_atomic(parts, out + ".part")
        log("encoded", c0 + 1000, "%.0fs" % (time.time() - t0))
save_atomic(dict(bits=torch.cat(parts["bits"]), ids=torch.cat(parts["ids"]), mask=torch.cat(parts["mask"]),
                 caps=parts["caps"]), out)
log("done", out)
