"""Synthetic captioned clips of moving shapes (deterministic by seed).

Grammar (see training/README.md):
  caption := "a" OBJ ["and a" OBJ] "on a" BG "background"
  OBJ     := COLOR SHAPE "moving" DIR
  COLOR   := red | green | blue | yellow | magenta | cyan
  SHAPE   := circle | square | triangle
  DIR     := left | right | up | down
  BG      := black | gray | striped
Two objects always have different colours (so each colour phrase names exactly one object).
"""
import numpy as np

H = W = 64
F = 17          # 1 + 4k, k = 4
FPS = 8
COLORS = {
    "red": (0.95, 0.10, 0.10),
    "green": (0.10, 0.85, 0.10),
    "blue": (0.15, 0.30, 1.00),
    "yellow": (0.95, 0.90, 0.10),
    "magenta": (0.90, 0.10, 0.90),
    "cyan": (0.10, 0.90, 0.90),
}
COLOR_NAMES = list(COLORS)
SHAPES = ["circle", "square", "triangle"]
DIRS = {"left": (-1, 0), "right": (1, 0), "up": (0, -1), "down": (0, 1)}
DIR_NAMES = list(DIRS)
BGS = ["black", "gray", "striped"]
SPEED = 1.25          # px per frame -> 20 px sweep over 16 intervals
R_MIN, R_MAX = 11.0, 14.0   # circumradius; diameter 22-28 px >= a quarter of 64
VOCAB_WORDS = (["a", "and", "on", "moving", "background"] + COLOR_NAMES + SHAPES + DIR_NAMES + BGS)

_yy, _xx = np.mgrid[0:H, 0:W].astype(np.float32) + 0.5


def background(bg):
    img = np.zeros((H, W, 3), np.float32)
    if bg == "gray":
        img[:] = 0.5
    elif bg == "striped":   # fixed diagonal stripes, period 8 px (4 px dark, 4 px light)
        s = ((_xx + _yy).astype(np.int32) // 4) % 2   # period 8 px: divides the 16 px latent cell, so every cell sees the same phase
        img[:] = np.where(s[..., None] == 1, 0.6, 0.25)
    return img


def shape_mask(shape, cx, cy, r):
    dx, dy = _xx - cx, _yy - cy
    if shape == "circle":
        return dx * dx + dy * dy <= r * r
    if shape == "square":
        h = 0.9 * r
        return (np.abs(dx) <= h) & (np.abs(dy) <= h)
    # upward equilateral triangle inscribed in circle r: apex (0,-r), base y=+r/2, half-width .866r
    t = (dy + r) / (1.5 * r)   # 0 at apex, 1 at base
    return (t >= 0) & (t <= 1) & (np.abs(dx) <= 0.866 * r * t)


def extent(shape, r):
    """half extents (x, y_up, y_down) relative to centre"""
    if shape == "square":
        return 0.9 * r, 0.9 * r, 0.9 * r
    if shape == "triangle":
        return 0.866 * r, r, 0.5 * r
    return r, r, r


def caption_of(objs, bg):
    parts = [f"a {o['color']} {o['shape']} moving {o['dir']}" for o in objs]
    return " and ".join(parts) + f" on a {bg} background"


def sample_spec(rng, n_obj=None, p_two=0.5):
    """Random scene spec: objects with colour/shape/dir/radius/start, background."""
    if n_obj is None:
        n_obj = 2 if rng.random() < p_two else 1
    cols = rng.choice(len(COLOR_NAMES), size=n_obj, replace=False)
    objs = [dict(color=COLOR_NAMES[c], shape=SHAPES[rng.integers(3)], dir=DIR_NAMES[rng.integers(4)])
            for c in cols]
    bg = BGS[rng.integers(3)]
    place(rng, objs)
    return dict(objs=objs, bg=bg, caption=caption_of(objs, bg))


def _traj(o):
    dx, dy = DIRS[o["dir"]]
    t = np.arange(F, dtype=np.float32)
    return o["x0"] + dx * SPEED * t, o["y0"] + dy * SPEED * t


def place(rng, objs):
    for attempt in range(2000):
        shrink = 1.0 if attempt < 1000 else 0.85
        for o in objs:
            r = rng.uniform(R_MIN, R_MAX) * shrink
            o["r"] = float(r)
            ex, eu, ed = extent(o["shape"], r)
            dx, dy = DIRS[o["dir"]]
            sweep = SPEED * (F - 1)
            xlo, xhi = ex + 1, W - 1 - ex
            ylo, yhi = eu + 1, H - 1 - ed
            if dx > 0: xhi -= sweep
            if dx < 0: xlo += sweep
            if dy > 0: yhi -= sweep
            if dy < 0: ylo += sweep
            o["x0"] = float(rng.uniform(xlo, xhi))
            o["y0"] = float(rng.uniform(ylo, yhi))
        if len(objs) == 1:
            return
        (ax, ay), (bx, by) = _traj(objs[0]), _traj(objs[1])
        d = np.sqrt((ax - bx) ** 2 + (ay - by) ** 2).min()
        if d >= 1.2 * (objs[0]["r"] + objs[1]["r"]):
            return
    raise RuntimeError("placement failed")


def render(spec):
    """-> float32 [F, H, W, 3] in [0, 1]"""
    bgimg = background(spec["bg"])
    out = np.repeat(bgimg[None], F, 0)
    for o in spec["objs"]:
        xs, ys = _traj(o)
        col = np.array(COLORS[o["color"]], np.float32)
        for f in range(F):
            m = shape_mask(o["shape"], xs[f], ys[f], o["r"])
            out[f][m] = col
    return out


def to_model(frames):
    """[F,H,W,3] in [0,1] -> [3,F,H,W] in [-1,1]"""
    return np.ascontiguousarray(frames.transpose(3, 0, 1, 2) * 2 - 1)


def from_model(x):
    """[3,F,H,W] in [-1,1] -> [F,H,W,3] in [0,1]"""
    return np.clip((np.asarray(x).transpose(1, 2, 3, 0) + 1) / 2, 0, 1)


def object_mask(spec):
    """[F,H,W] bool union of object pixels (for loss weighting)"""
    m = np.zeros((F, H, W), bool)
    for o in spec["objs"]:
        xs, ys = _traj(o)
        for f in range(F):
            m[f] |= shape_mask(o["shape"], xs[f], ys[f], o["r"])
    return m


def batch(rng, n, p_two=0.5, with_mask=False):
    specs = [sample_spec(rng, p_two=p_two) for _ in range(n)]
    x = np.stack([to_model(render(s)) for s in specs])
    if with_mask:
        return specs, x, np.stack([object_mask(s) for s in specs])
    return specs, x
