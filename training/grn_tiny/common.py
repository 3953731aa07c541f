import os, sys, time, json
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))   # training/
WORK = os.path.join(ROOT, "runs")
BUNDLE = os.path.join(os.path.dirname(ROOT), "models", "grn-tiny-shapes")
os.makedirs(WORK, exist_ok=True)


def setup():
    torch.set_num_threads(2)


def save_atomic(obj, path):
    tmp = path + ".tmp"
    torch.save(obj, tmp)
    os.replace(tmp, path)


class Log:
    def __init__(self, name):
        self.f = open(os.path.join(WORK, name), "a")

    def __call__(self, *a):
        s = time.strftime("%H:%M:%S ") + " ".join(str(x) for x in a)
        print(s, flush=True)
        self.f.write(s + "\n"); self.f.flush()
