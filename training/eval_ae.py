"""AE gate: held-out ground-truth clips through the AE, continuous and HBQ M=1..6 (PSNR + attributes).
  nice -n 10 /usr/bin/python3 training/eval_ae.py [n_clips=100] [out=ae_eval.json]   -> training/runs/<out>
The autoencoder is training/runs/ae_final.pt, or $AE_PATH (retrain.sh points it at the tuned decoder)."""
import os, sys, json
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch
from grn_tiny import ae_eval, runtime as RT
from grn_tiny.common import WORK, setup, Log
setup(); log = Log("eval.log")
n = int(sys.argv[1]) if len(sys.argv) > 1 else 100
r = ae_eval.evaluate(RT.load_ae(), n=n, seed=999, Ms=(1, 2, 3, 4, 5, 6))
log("AE_EVAL", json.dumps(r))
json.dump(r, open(os.path.join(WORK, sys.argv[2] if len(sys.argv) > 2 else "ae_eval.json"), "w"), indent=1)
print("| latent | PSNR dB | colour | shape | direction | background | all |")
print("|---|---|---|---|---|---|---|")
for k in ["cont", "M1", "M2", "M3", "M4", "M5", "M6"]:
    v = r[k]
    print(f"| {'continuous' if k == 'cont' else 'HBQ M=' + k[1:]} | {v['psnr']:.2f} | {v['color']:.3f} | {v['shape']:.3f} | {v['dir']:.3f} | {v['bg']:.3f} | {v['all']:.3f} |")
