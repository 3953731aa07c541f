"""Fixture for the Java port of the attribute evaluator (tests/.../AttributeEvaluator.java): a few
ground-truth clips as raw RGB bytes and the Python evaluator's verdict on each.
  /usr/bin/python3 training/evaluator_fixture.py   -> tests/src/test/resources/evaluator/"""
import os, sys, json
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy as np
from grn_tiny import domain as D, evaluator as E

out = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests", "src", "test", "resources", "evaluator")
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(777)
clips = []
for i, n_obj in enumerate([1, 2, 1, 2]):
    spec = D.sample_spec(rng, n_obj=n_obj)
    frames = D.render(spec)                                   # [F, H, W, 3] float in [0, 1]
    u8 = np.round(np.clip(frames, 0, 1) * 255).astype(np.uint8)
    name = f"clip-{i}.rgb"
    u8.tofile(os.path.join(out, name))
    a = E.analyse(u8.astype(np.float32) / 255.0)              # judged on the bytes Java reads
    clips.append(dict(file=name, caption=spec["caption"], frames=int(u8.shape[0]), height=int(u8.shape[1]),
                      width=int(u8.shape[2]), verdict=a))
json.dump(dict(note="uint8 RGB, [frames, height, width, 3], row-major; verdict = grn_tiny.evaluator.analyse",
               clips=clips), open(os.path.join(out, "verdicts.json"), "w"), indent=1)
print("wrote", len(clips), "clips to", out)
