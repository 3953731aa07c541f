"""Attribute evaluator: no learning. Colour from pixel hue, shape from bounding-box fill ratio,
direction from centroid motion, background from the non-object pixels."""
import numpy as np
from . import domain as D

SAT_T = 0.35      # foreground = saturation (max-min of RGB) above this
MIN_AREA = 40     # median per-frame pixel count for a colour to count as an object
_HUES = {}
for _n, _c in D.COLORS.items():
    _HUES[_n] = None


def _hue(rgb):
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    mx, mn = rgb.max(-1), rgb.min(-1)
    d = np.maximum(mx - mn, 1e-6)
    h = np.where(mx == r, ((g - b) / d) % 6, np.where(mx == g, (b - r) / d + 2, (r - g) / d + 4))
    return h * 60.0


_PAL = np.array([_hue(np.array(c, np.float32)) for c in D.COLORS.values()])


def analyse(frames):
    """frames [F,H,W,3] in [0,1] -> dict(objects=[{color,shape,dir,area,fill}], bg=...)"""
    fr = np.clip(frames, 0, 1)
    sat = fr.max(-1) - fr.min(-1)
    fg = sat > SAT_T
    hue = _hue(fr)
    dist = np.abs(((hue[..., None] - _PAL) + 180) % 360 - 180)   # [F,H,W,6]
    lab = dist.argmin(-1)
    objs = []
    for k, name in enumerate(D.COLOR_NAMES):
        m = fg & (lab == k)
        cnt = m.reshape(m.shape[0], -1).sum(1)
        if np.median(cnt) < MIN_AREA:
            continue
        fills, cx, cy, ok = [], [], [], []
        for f in range(m.shape[0]):
            if cnt[f] < MIN_AREA // 2:
                continue
            ys, xs = np.nonzero(m[f])
            bw, bh = xs.max() - xs.min() + 1, ys.max() - ys.min() + 1
            fills.append(cnt[f] / float(bw * bh))
            cx.append(xs.mean()); cy.append(ys.mean()); ok.append(f)
        fill = float(np.median(fills))
        shape = "triangle" if fill < 0.64 else ("circle" if fill < 0.89 else "square")
        n3 = max(1, len(cx) // 4)
        dx = np.mean(cx[-n3:]) - np.mean(cx[:n3])
        dy = np.mean(cy[-n3:]) - np.mean(cy[:n3])
        if abs(dx) >= abs(dy):
            d = "right" if dx > 0 else "left"
        else:
            d = "down" if dy > 0 else "up"
        objs.append(dict(color=name, shape=shape, dir=d, area=float(np.median(cnt)), fill=fill,
                         motion=float(max(abs(dx), abs(dy)))))
    objs.sort(key=lambda o: -o["area"])
    # background from non-object pixels
    bgpx = fr[~fg.any(0) if False else ~fg]
    v = bgpx.mean(-1) if bgpx.size else np.zeros(1)
    mean, std = float(v.mean()), float(v.std())
    bg = "striped" if std > 0.09 else ("black" if mean < 0.25 else "gray")
    return dict(objects=objs, bg=bg, bg_mean=mean, bg_std=std)


def score(frames, spec):
    """Compare against the spec (or parsed caption). Returns per-attribute lists of 0/1 per object,
    plus clip-level 'all' (every object right, right object count, right background)."""
    a = analyse(frames)
    det = {o["color"]: o for o in a["objects"]}
    res = dict(color=[], shape=[], dir=[])
    allok = len(a["objects"]) == len(spec["objs"]) and a["bg"] == spec["bg"]
    for o in spec["objs"]:
        d = det.get(o["color"])
        c_ok = d is not None
        s_ok = c_ok and d["shape"] == o["shape"]
        r_ok = c_ok and d["dir"] == o["dir"]
        res["color"].append(int(c_ok)); res["shape"].append(int(s_ok)); res["dir"].append(int(r_ok))
        allok = allok and c_ok and s_ok and r_ok
    res["bg"] = [int(a["bg"] == spec["bg"])]
    res["count"] = [int(len(a["objects"]) == len(spec["objs"]))]
    res["all"] = [int(allok)]
    return res, a


def parse_caption(caption):
    w = caption.split()
    objs = []
    i = 0
    while True:
        assert w[i] == "a"
        objs.append(dict(color=w[i + 1], shape=w[i + 2], dir=w[i + 4]))
        i += 5
        if w[i] == "and":
            i += 1
            continue
        break
    return dict(objs=objs, bg=w[i + 2])


class Tally:
    def __init__(self):
        self.s = {}

    def add(self, res):
        for k, v in res.items():
            self.s.setdefault(k, []).extend(v)

    def summary(self):
        return {k: round(float(np.mean(v)), 4) for k, v in self.s.items()}
