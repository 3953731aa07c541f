"""Load trained networks and run the reference sampler + decoder end to end."""
import os
import numpy as np
import torch
from . import models as Mo, ae as A, text as T, hbq, sampler as S, domain as D
from .common import WORK


def load_ae(path=None):
    ae = A.VideoAE()
    ae.load_state_dict(torch.load(path or os.environ.get("AE_PATH") or os.path.join(WORK, "ae_final.pt"))["model"])
    return ae.eval()


def load_refiner(path=None):
    s = torch.load(path or os.environ.get("REFINER_PATH") or os.path.join(WORK, "refiner_final.pt"))
    m = Mo.Refiner(len(T.VOCAB), n_tokens=s["n_tokens"], bits=s["bits"], **s["cfg"])
    m.load_state_dict(s["ema"])
    return m.eval(), s


class Generator:
    LAT = (A.C_LAT, 5, 4, 4)

    def __init__(self, refiner, ae):
        self.m, self.ae = refiner, ae

    @torch.no_grad()
    def text_kv(self, captions):
        enc = [T.encode(c) for c in captions]
        ids = torch.tensor([e[0] for e in enc]); mask = torch.tensor([e[1] for e in enc])
        tk, tv = self.m.forward_text(ids, mask)
        return tk, tv, mask

    @torch.no_grad()
    def sample(self, captions, seeds, w=3.0, tau=1.0, schedule_fn=None, record=False, chunk=64):
        tk_c, tv_c, m_c = self.text_kv(captions)
        tk_u, tv_u, m_u = self.text_kv([""])
        n = len(captions)

        def predict(X, p, idx):
            gcs, gus = [], []
            for a in range(0, len(idx), chunk):
                ii = torch.tensor(idx[a:a + chunk]); b = len(ii)
                bits = torch.from_numpy(X[a:a + chunk]); pp = torch.from_numpy(p[a:a + chunk])
                tk = torch.cat([tk_c[ii], tk_u.expand(b, -1, -1, -1, -1)])
                tv = torch.cat([tv_c[ii], tv_u.expand(b, -1, -1, -1, -1)])
                tm = torch.cat([m_c[ii], m_u.expand(b, -1)])
                g = self.m.forward_visual(torch.cat([bits, bits]), torch.cat([pp, pp]), tk, tv, tm).numpy()
                gcs.append(g[:b]); gus.append(g[b:])
            return np.concatenate(gcs), np.concatenate(gus)

        N, K = self.m.n_tokens, self.m.bits
        return S.sample_batch(predict, N, K, seeds, w=w, tau=tau, schedule_fn=schedule_fn, record=record)

    @torch.no_grad()
    def decode(self, bits):
        """bits [B,N,K] uint8 -> frames list of [F,H,W,3] in [0,1]"""
        z = hbq.bits_to_latent(torch.from_numpy(bits.astype(np.float32)), self.LAT, 4)
        out = []
        for i in range(0, len(z), 16):
            y = self.ae.decode(z[i:i + 16]).clamp(-1, 1).numpy()
            out.extend(D.from_model(v) for v in y)
        return out
