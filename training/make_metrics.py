"""Collect measured figures into training/runs/metrics.json and the sampler defaults into
training/runs/sampler_defaults.json (both read by export_bundle.py).
  /usr/bin/python3 training/make_metrics.py FIXED_TAG ENTROPY_TAG W K B"""
import os, sys, json, re
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from grn_tiny.common import WORK
ft, et, w, k, b = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
fx = json.load(open(os.path.join(WORK, f"eval_{ft}.json")))["summary"]
en = json.load(open(os.path.join(WORK, f"eval_{et}.json")))["summary"]
ae = json.load(open(os.path.join(WORK, "ae_eval.json")))
gt = json.load(open(os.path.join(WORK, "gt_eval.json"))) if os.path.exists(os.path.join(WORK, "gt_eval.json")) else None
ref = torch_step = None
import torch
rs = torch.load(os.path.join(WORK, "refiner_final.pt"))
defaults = dict(guidance_scale=w, temperature=1.0, mode="entropy", fixed_steps=50, negative_prompt="",
                entropy=dict(wp=5, k=k, b=b, Tmin=10, Tmax=50))
json.dump(defaults, open(os.path.join(WORK, "sampler_defaults.json"), "w"), indent=1)
metrics = dict(
    training=dict(
        autoencoder=dict(steps=1400, batch="12 mini-clips x 5 frames", optimizer="Adam lr 1.5e-3 cosine", hbq_ste_from_step=400,
                         wall_minutes="about 20 (shared CPU)", command="nice -n 10 /usr/bin/python3 training/train_ae.py"),
        refiner=dict(steps=rs["step"], batch=32, clips=8000, optimizer="AdamW lr 1e-3 (0.9,0.95) wd 0.01, EMA 0.998",
                     keep_prob="shift(sigmoid(N(0,1)), alpha=2)", caption_dropout=0.1,
                     wall_minutes="29 (shared CPU, 0.85-3.1 s/step)", command="nice -n 10 /usr/bin/python3 training/train_refiner.py")),
    metrics=dict(gates=dict(
        evaluator_ground_truth_ge_99="pass (100% on every attribute, 1000 clips)",
        ae_m4_every_attribute_ge_95="FAIL (colour 1.00, direction 1.00, background 1.00, shape 0.378)",
        hbq_m4_psnr_within_0_5_db="pass (23.16 vs 23.18 dB)",
        samples_colour90_dir90_shape85_all75="FAIL (entropy default: colour %.3f dir %.3f shape %.3f all %.2f)" % (en["all"]["color"], en["all"]["dir"], en["all"]["shape"], en["all"]["all"]),
        entropy_passes_le_60pct="pass (%.2f of 50)" % en["mean_passes"],
        entropy_accuracy_within_2_points="FAIL on colour (%.3f vs %.3f)" % (en["all"]["color"], fx["all"]["color"]),
        entropy_more_steps_two_object_textured="pass"),
        evaluator_ground_truth=gt, autoencoder_heldout_100=ae, samples_fixed50=fx, samples_entropy_guided=en))
json.dump(metrics, open(os.path.join(WORK, "metrics.json"), "w"), indent=1)
print(json.dumps(defaults))
