"""Collect the measured figures into training/runs/metrics.json, deciding every gate from the data,
and the sampler defaults into training/runs/sampler_defaults.json (both read by export_bundle.py).
  /usr/bin/python3 training/make_metrics.py FIXED_TAG ENTROPY_TAG W K B [TAU=1]
FIXED_TAG / ENTROPY_TAG name training/runs/eval_<tag>.json of the fixed-50 and entropy-guided runs."""
import os, sys, json, time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch
from grn_tiny.common import WORK, BUNDLE

ft, et, w, k, b = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
tau = float(sys.argv[6]) if len(sys.argv) > 6 else 1.0
load = lambda name: json.load(open(os.path.join(WORK, name)))
fx = load(f"eval_{ft}.json")["summary"]
en = load(f"eval_{et}.json")["summary"]
ae = load("ae_eval.json")          # the autoencoder as trained: the gate before the refiner
# the decoder the bundle ships, after tune_decoder.py (absent when the decoder was not tuned)
tuned_path = os.path.join(WORK, "ae_eval_tuned.json")
shipped = json.load(open(tuned_path)) if os.path.exists(tuned_path) else ae
gt = load("gt_eval.json")


def wall_minutes(log):
    """First to last timestamp of a log (HH:MM:SS, may cross midnight), resumptions included."""
    stamps = []
    for line in open(os.path.join(WORK, log)):
        try:
            t = time.strptime(line[:8], "%H:%M:%S")
        except ValueError:
            continue
        s = t.tm_hour * 3600 + t.tm_min * 60 + t.tm_sec
        while stamps and s < stamps[-1]:
            s += 86400
        stamps.append(s)
    return round((stamps[-1] - stamps[0]) / 60, 1) if stamps else None


def verdict(ok, text):
    return ("pass" if ok else "FAIL") + " (" + text + ")"


ATTR = ["color", "shape", "dir", "bg"]
m4 = ae["M4"]
s4, scont = shipped["M4"], shipped["cont"]
e, f = en["all"], fx["all"]
groups = en["passes_by_group"]
plain_one = max(groups.get("1obj_black", 0), groups.get("1obj_gray", 0))
textured_two = groups.get("2obj_striped", 0)
drops = {a: round(f[a] - e[a], 4) for a in ["color", "shape", "dir", "all"]}
gates = dict(
    evaluator_ground_truth_ge_99=verdict(all(gt["all"][a] >= 0.99 for a in ATTR + ["all"]),
                                         ", ".join(f"{a} {gt['all'][a]:.3f}" for a in ATTR + ["all"]) + f", {gt['n']} clips"),
    ae_m4_every_attribute_ge_95=verdict(all(m4[a] >= 0.95 for a in ATTR) and all(s4[a] >= 0.95 for a in ATTR),
                                        "before the refiner: " + ", ".join(f"{a} {m4[a]:.3f}" for a in ATTR)
                                        + "; shipped decoder: " + ", ".join(f"{a} {s4[a]:.3f}" for a in ATTR)),
    hbq_m4_psnr_within_0_5_db=verdict(scont["psnr"] - s4["psnr"] <= 0.5 and ae["cont"]["psnr"] - m4["psnr"] <= 0.5,
                                      f"shipped decoder {s4['psnr']:.2f} vs {scont['psnr']:.2f} dB; before tuning "
                                      f"{m4['psnr']:.2f} vs {ae['cont']['psnr']:.2f} dB"),
    samples_colour90_dir90_shape85_all75=verdict(e["color"] >= 0.90 and e["dir"] >= 0.90 and e["shape"] >= 0.85 and e["all"] >= 0.75,
                                                 f"default sampler: colour {e['color']:.3f}, direction {e['dir']:.3f}, "
                                                 f"shape {e['shape']:.3f}, all {e['all']:.3f}"),
    entropy_passes_le_60pct=verdict(en["mean_passes"] <= 30, f"{en['mean_passes']:.2f} of 50"),
    entropy_accuracy_within_2_points=verdict(all(d <= 0.02 for d in drops.values()),
                                             "fixed minus entropy-guided: " + ", ".join(f"{a} {d:+.3f}" for a, d in drops.items())),
    entropy_more_steps_two_object_textured=verdict(textured_two > plain_one,
                                                   f"2 objects striped {textured_two:.1f} vs 1 object plain {plain_one:.1f} passes"))

ae_ck = torch.load(os.path.join(WORK, "ae_final.pt"))
if ae_ck.get("recovered_from"):
    # rebuilt from the bundle by recover_ae.py: its training record is the one the bundle already carries
    ae_training = json.load(open(os.path.join(BUNDLE, "manifest.json")))["training"]["autoencoder"]
else:
    ae_training = dict(steps=ae_ck["step"], batch="12 mini-clips x 5 frames", optimizer="Adam lr 1.5e-3, cosine to 5%",
                       hbq_ste_after="20% of the steps", wall_minutes=wall_minutes("ae.log"),
                       command="nice -n 10 /usr/bin/python3 training/train_ae.py")
tuned_ck = os.path.join(WORK, "ae_tuned.pt")
if os.path.exists(tuned_ck):
    ae_training = dict(ae_training, decoder_tuning=dict(torch.load(tuned_ck)["tuned"], wall_minutes=wall_minutes("decoder.log"),
                                                        command="nice -n 10 /usr/bin/python3 training/tune_decoder.py"))
rs = torch.load(os.path.join(WORK, "refiner_final.pt"))
clips = torch.load(os.path.join(WORK, "latents.pt"))["bits"].shape[0]
defaults = dict(guidance_scale=w, temperature=tau, mode="entropy", fixed_steps=50, negative_prompt="",
                entropy=dict(wp=5, k=k, b=b, Tmin=10, Tmax=50))
json.dump(defaults, open(os.path.join(WORK, "sampler_defaults.json"), "w"), indent=1)
metrics = dict(
    training=dict(
        autoencoder=ae_training,
        refiner=dict(steps=rs["step"], batch=32, clips=int(clips), optimizer="AdamW lr 1e-3 (0.9,0.95) wd 0.01, EMA 0.998",
                     keep_prob="shift(sigmoid(N(0,1)), alpha=2)", caption_dropout=0.1, wall_minutes=wall_minutes("refiner.log"),
                     command="nice -n 10 /usr/bin/python3 training/train_refiner.py")),
    metrics=dict(gates=gates, evaluator_ground_truth=gt, autoencoder_heldout_100=ae, shipped_decoder_heldout_100=shipped, samples_fixed50=fx,
                 samples_entropy_guided=en))
json.dump(metrics, open(os.path.join(WORK, "metrics.json"), "w"), indent=1)
print(json.dumps(gates, indent=1))
print(json.dumps(defaults))
