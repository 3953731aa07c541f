"""Export the bundle models/grn-tiny-shapes/: ONNX files, tokenizer.json, fixtures, manifest.json.
  nice -n 10 /usr/bin/python3 training/export_bundle.py
Reads training/runs/{ae_final.pt, refiner_final.pt, sampler_defaults.json, metrics.json}."""
import os, sys, json, time, shutil
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy as np, torch, onnx
from grn_tiny import domain as D, text as T, hbq, sampler as S, runtime as RT, ae as A
from grn_tiny import export as X
from grn_tiny.common import WORK, BUNDLE, setup, Log
setup(); log = Log("export.log")
out = BUNDLE; fx = os.path.join(out, "fixtures")
if os.path.exists(out): shutil.rmtree(out)
os.makedirs(fx)
ae = RT.load_ae(); ref, rs = RT.load_refiner()
cfg = rs["cfg"]; L = T.MAX_LEN; NTOK, NBIT = ref.n_tokens, ref.bits; C = A.C_LAT
dflt = json.load(open(os.path.join(WORK, "sampler_defaults.json")))
metrics = json.load(open(os.path.join(WORK, "metrics.json"))) if os.path.exists(os.path.join(WORK, "metrics.json")) else {}

# ---- tokenizer
json.dump(T.tokenizer_json(), open(os.path.join(out, "tokenizer.json"), "w"), indent=1)

# ---- inputs for fixtures
prompts = ["a red circle moving left on a black background",
           "a yellow triangle moving up and a blue square moving right on a striped background", ""]
enc = [T.encode(p) for p in prompts]
ids = torch.tensor([enc[0][0], enc[2][0]]); mask = torch.tensor([enc[0][1], enc[2][1]])
index = {}
tok_fx = [dict(text=p, input_ids=e[0], attention_mask=e[1]) for p, e in zip(prompts + ["A Green SQUARE moving down, on a gray background"],
                                                                          enc + [T.encode("A Green SQUARE moving down, on a gray background")])]
json.dump(dict(max_length=L, note="ids right-padded with [PAD]=0 to max_length; mask 1 on real tokens incl. [EOS]",
               prompts=tok_fx), open(os.path.join(fx, "tokenizer_ids.json"), "w"), indent=1)

with torch.no_grad():
    # text encoder
    tm = X.TextEncoderOnnx(ref)
    p_te = os.path.join(out, "text_encoder.onnx")
    m_te = X.export(tm, (ids, mask), p_te, ["input_ids", "attention_mask"], ["text_k", "text_v"],
                    {"input_ids": {0: "batch"}, "attention_mask": {0: "batch"}, "text_k": {0: "batch"}, "text_v": {0: "batch"}})
    tk, tv = tm(ids, mask)
    X.save_npy(fx, "text_encoder.input_ids", ids.numpy(), index, "text_encoder")
    X.save_npy(fx, "text_encoder.attention_mask", mask.numpy(), index, "text_encoder")
    X.save_npy(fx, "text_encoder.text_k", tk.numpy(), index, "text_encoder")
    X.save_npy(fx, "text_encoder.text_v", tv.numpy(), index, "text_encoder")
    # refiner step: a corrupted real latent, progress 0.3 (cond) / 0.3 (uncond), cond+uncond batch
    rng = np.random.default_rng(3)
    spec = D.sample_spec(rng, n_obj=1); spec_caption = spec["caption"]
    x = torch.from_numpy(D.to_model(D.render(spec)))[None]
    zc = ae.encode(x)
    Y = hbq.latent_to_bits(zc, 4)[0]
    keep = torch.from_numpy(rng.random(Y.shape) < 0.3); Rb = torch.from_numpy((rng.random(Y.shape) < 0.5).astype(np.float32))
    Xb = torch.where(keep, Y, Rb)
    bits = torch.stack([Xb, Xb]); prog = torch.tensor([float(keep.float().mean())] * 2)
    rm = X.RefinerStepOnnx(ref)
    p_rs = os.path.join(out, "refiner_step.onnx")
    m_rs = X.export(rm, (bits, prog, tk, tv, mask), p_rs, ["bits", "progress", "text_k", "text_v", "text_mask"], ["logit_gap"],
                    {k: {0: "batch"} for k in ["bits", "progress", "text_k", "text_v", "text_mask", "logit_gap"]})
    gap = rm(bits, prog, tk, tv, mask)
    assert torch.allclose(gap, ref(bits, prog, ids, mask), atol=1e-5)
    for nme, arr in [("bits", bits), ("progress", prog), ("text_k", tk), ("text_v", tv), ("text_mask", mask), ("logit_gap", gap)]:
        if nme in ("text_k", "text_v", "text_mask"):
            index.setdefault("refiner_step", {})[nme] = dict(index["text_encoder"]["text_encoder." + {"text_mask": "attention_mask"}.get(nme, nme)])
        else:
            X.save_npy(fx, "refiner_step." + nme, arr.numpy(), index, "refiner_step")
    # VAE: 5 frames (T'=2) to keep fixtures small; both graphs take any F = 1+4k / T'
    x5 = x[:, :, :5].contiguous()
    em = X.VaeEncoderOnnx(ae); p_ve = os.path.join(out, "vae_encoder.onnx")
    m_ve = X.export(em, (x5,), p_ve, ["frames"], ["z"], {"frames": {2: "frames"}, "z": {2: "latent_frames"}})
    z5 = em(x5)
    assert torch.allclose(z5, ae.encode(x5), atol=1e-5) and torch.allclose(em(x), zc, atol=1e-5)
    X.save_npy(fx, "vae_encoder.frames", x5.numpy(), index, "vae_encoder")
    X.save_npy(fx, "vae_encoder.z", z5.numpy(), index, "vae_encoder")
    zq = hbq.hbq_quant(z5, 4)
    dm = X.VaeDecoderOnnx(ae); p_vd = os.path.join(out, "vae_decoder.onnx")
    m_vd = X.export(dm, (zq,), p_vd, ["z"], ["frames"], {"z": {2: "latent_frames"}, "frames": {2: "frames"}})
    fr = dm(zq)
    assert torch.allclose(fr, ae.decode(zq), atol=1e-5) and torch.allclose(dm(zc), ae.decode(zc), atol=1e-5)
    X.save_npy(fx, "vae_decoder.z", zq.numpy(), index, "vae_decoder")
    X.save_npy(fx, "vae_decoder.frames", fr.numpy(), index, "vae_decoder")
    # batch-independence check of the graphs: re-export at another batch size, compare all constants
    from onnx import numpy_helper
    import hashlib as _h
    def consts(mp):
        a = sorted((n.op_type, _h.md5(numpy_helper.to_array(t.t).tobytes()).hexdigest() if t.type == onnx.AttributeProto.TENSOR else str(t))
                   for n in mp.graph.node for t in n.attribute)
        b = sorted(_h.md5(numpy_helper.to_array(t).tobytes()).hexdigest() + str(list(t.dims)) for t in mp.graph.initializer)
        return a, b
    tmp = os.path.join(WORK, "tmp3.onnx")
    ids3, mask3 = ids[[0, 1, 0]], mask[[0, 1, 0]]
    same_te = consts(X.export(tm, (ids3, mask3), tmp, ["input_ids", "attention_mask"], ["text_k", "text_v"],
                              {"input_ids": {0: "batch"}, "attention_mask": {0: "batch"}, "text_k": {0: "batch"}, "text_v": {0: "batch"}})) == consts(m_te)
    tk3, tv3 = tm(ids3, mask3)
    same_rs = consts(X.export(rm, (bits[[0, 1, 0]], prog[[0, 1, 0]], tk3, tv3, mask3), tmp, ["bits", "progress", "text_k", "text_v", "text_mask"], ["logit_gap"],
                              {k: {0: "batch"} for k in ["bits", "progress", "text_k", "text_v", "text_mask", "logit_gap"]})) == consts(m_rs)
    log("graph constants independent of export batch size: text_encoder", same_te, "refiner_step", same_rs)

json.dump(index, open(os.path.join(fx, "index.json"), "w"), indent=1)

# ---- sampler runs with recorded traces
gen = RT.Generator(ref, ae)
E = dflt["entropy"]
runs = {"fixed": (lambda: S.Schedule("fixed", Tmax=dflt["fixed_steps"])),
        "entropy": (lambda: S.Schedule("entropy", Tmax=E["Tmax"], Tmin=E["Tmin"], wp=E["wp"], k=E["k"], b=E["b"]))}
run_prompts = {"fixed": prompts[0], "entropy": prompts[1]}
sampler_fx = {}
for name, sf in runs.items():
    seed = 20260 + (0 if name == "fixed" else 1)
    Yb, info = gen.sample([run_prompts[name]], [seed], w=dflt["guidance_scale"], tau=dflt["temperature"], schedule_fn=sf, record=True)
    inf = info[0]
    pack = lambda arrs: np.stack([np.packbits(a.reshape(-1).astype(np.uint8)) for a in arrs])
    np.save(os.path.join(fx, f"sampler_{name}.X_trace.npy"), pack(inf["trace_X"]))
    np.save(os.path.join(fx, f"sampler_{name}.Y_trace.npy"), pack(inf["trace_Y"]))
    np.save(os.path.join(fx, f"sampler_{name}.final_bits.npy"), Yb[0].astype(np.uint8))
    first = S.SplitMix64(seed).uniform(8)
    sampler_fx[name] = dict(prompt=run_prompts[name], negative_prompt="", input_ids=T.encode(run_prompts[name])[0],
                            seed=seed, first_uniforms=[float(v) for v in first], guidance_scale=dflt["guidance_scale"],
                            temperature=dflt["temperature"], mode=name,
                            schedule=(dict(Tmax=dflt["fixed_steps"]) if name == "fixed" else E),
                            passes=inf["passes"], Hstar=inf.get("Hstar"), N_after_warmup=inf.get("N_after_warmup"),
                            entropy_per_step=inf["entropy"], p_next_per_step=inf["p_next"], realized_keep_ratio_per_step=inf["realized"],
                            files=dict(X_trace=f"sampler_{name}.X_trace.npy", Y_trace=f"sampler_{name}.Y_trace.npy",
                                       final_bits=f"sampler_{name}.final_bits.npy"))
json.dump(dict(note=("X_trace[s] = input bits of pass s, Y_trace[s] = sampled prediction of pass s, each packed with numpy.packbits "
                     "(MSB first) over the flattened [N=80 tokens, K=128 bits] map (index = token*128 + j, j = m*32 + c); "
                     "bit i = (byte[i>>3] >> (7-(i&7))) & 1. progress input of pass s = realized_keep_ratio_per_step[s-1] (0 for s=0). "
                     "final_bits uint8 [80,128] = Y of the last pass. Draw order: see manifest sampler.prng."),
               runs=sampler_fx), open(os.path.join(fx, "sampler_runs.json"), "w"), indent=1)

# ---- manifest
files = sorted(os.path.relpath(os.path.join(dp, f), out) for dp, _, fs in os.walk(out) for f in fs)
H_, DH_ = ref.heads, ref.dh
CONTRACT = {
    "text_encoder": dict(inputs=[dict(name="input_ids", shape=["B", L], dtype="int64"), dict(name="attention_mask", shape=["B", L], dtype="int64")],
                         outputs=[dict(name="text_k", shape=["B", ref.layers, H_, L, DH_], dtype="float32"),
                                  dict(name="text_v", shape=["B", ref.layers, H_, L, DH_], dtype="float32")]),
    "refiner_step": dict(inputs=[dict(name="bits", shape=["B", NTOK, NBIT], dtype="float32"), dict(name="progress", shape=["B"], dtype="float32"),
                                 dict(name="text_k", shape=["B", ref.layers, H_, L, DH_], dtype="float32"),
                                 dict(name="text_v", shape=["B", ref.layers, H_, L, DH_], dtype="float32"),
                                 dict(name="text_mask", shape=["B", L], dtype="int64")],
                         outputs=[dict(name="logit_gap", shape=["B", NTOK, NBIT], dtype="float32")]),
    "vae_decoder": dict(inputs=[dict(name="z", shape=[1, C, "T'", 4, 4], dtype="float32")],
                        outputs=[dict(name="frames", shape=[1, 3, "1+4(T'-1)", D.H, D.W], dtype="float32")]),
    "vae_encoder": dict(inputs=[dict(name="frames", shape=[1, 3, "F=1+4k", D.H, D.W], dtype="float32")],
                        outputs=[dict(name="z", shape=[1, C, "1+k", 4, 4], dtype="float32")]),
}
def spec(mp):
    name = {id(m_te): "text_encoder", id(m_rs): "refiner_step", id(m_vd): "vae_decoder", id(m_ve): "vae_encoder"}[id(mp)]
    return CONTRACT[name]
manifest = dict(
    id="grn-tiny-shapes", version="1.0.0", created=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    description="Toy GRN text-to-video model: captioned clips of moving shapes, 17 frames 64x64 at 8 fps.",
    video=dict(frames=D.F, fps=D.FPS, height=D.H, width=D.W, channels=3, range=[-1, 1],
               to_uint8="round(clamp((v+1)/2,0,1)*255)"),
    latent=dict(channels=C, temporal_stride=A.T_STRIDE, spatial_stride=A.S_STRIDE, latent_grid=[5, 4, 4],
                layout="z[1, C, T', h, w]", latent_frames_formula="T' = 1 + (F-1)/4, frame 0 alone",
                autoencoder_grid=f"the autoencoder works on an 8x8 grid of {A.C_GRID} channels (stride 8); this latent is its "
                                 f"space-to-depth by {A.PATCH}: channel = {A.PATCH * A.PATCH}*c + {A.PATCH}*dy + dx"),
    hbq=dict(rounds=4, bits_per_token=C * 4, tokens=NTOK, bit_order="j = m*C + c (round-major, m=0 coarsest)",
             token_order="(t, h, w) raster, t slowest", dequant="z[c] = sum_m 2^-(m+1) * (2*bit[m*C+c] - 1)",
             quant="q0=0; b_m = x > q_{m-1}; q_m = q_{m-1} + 2^-m (2 b_m - 1)"),
    tokenizer=dict(file="tokenizer.json", max_length=L, pad_id=T.PAD, unk_id=T.UNK, eos_id=T.EOS, padding="right, to max_length",
                   empty_caption="'' -> [EOS] only (used for the unconditional / negative stream)",
                   grammar="a COLOR SHAPE moving DIR [and a COLOR SHAPE moving DIR] on a BG background",
                   colors=D.COLOR_NAMES, shapes=D.SHAPES, directions=D.DIR_NAMES, backgrounds=D.BGS),
    onnx=dict(opset=X.OPSET,
              text_encoder=dict(file="text_encoder.onnx", **spec(m_te),
                                semantics="per-layer text keys (after per-head RMSNorm and 3-D RoPE at frame-axis position n) and values of the refiner, "
                                          "[B, layers, heads, L, head_dim]; run once per prompt (cond) and once for '' (uncond)"),
              refiner_step=dict(file="refiner_step.onnx", **spec(m_rs),
                                semantics="bits: current map X_s as 0/1 floats; progress: realized keep ratio (0 at the first pass); "
                                          "text_k/text_v/text_mask: from text_encoder for the same stream; "
                                          "logit_gap = l1 - l0 per bit. CFG: batch [cond, uncond] with identical bits/progress.",
                                positions="3-D RoPE tables are constants of the graph: visual token (k, a, b) at (600 + k, round(129a/4), "
                                          "round(129b/4)), progress token at (512, 0, 0), rotation pairs split 5/5/6 per head; "
                                          "plus a learned absolute position per visual token"),
              vae_decoder=dict(file="vae_decoder.onnx", **spec(m_vd), batch=1,
                               semantics="whole-clip decoder, dynamic T' (F = 1 + 4(T'-1)); latent frames decode independently "
                                         "(no temporal state), so a stream may decode [z0] -> frame 0 and [z0, z_t] -> 5 frames, keep the last 4"),
              vae_encoder=dict(file="vae_encoder.onnx", **spec(m_ve), batch=1, semantics="continuous latent tanh(...), dynamic F = 1+4k")),
    sampler=dict(dflt, prng="SplitMix64 per sample (see training/grn_tiny/sampler.py): R: N*K draws (bit = u < 0.5); each pass: N*K draws "
                            "for Y (bit = u < sigmoid(l)), then N*K draws for the keep mask (u < p_next); index = token*K + j",
                 cfg="l = g_u + w (g_c - g_u); l /= tau", keep_ratio="p_next = 0.999 (1 - cos(pi/2 min(1,u)))",
                 fixed_schedule="u = (s+1)/(Tmax-1), Tmax passes", output="Y of the last pass",
                 entropy_rule="H = mean binary entropy (log2) of sigmoid(g_c) (cond, unguided, tau=1); warm-up s<wp: u=(s+1)/(Tmax-1); at s=wp "
                              "N = clip(floor(k H + b + 0.5), Tmin-wp, Tmax-wp); s>=wp: u = wp/T + (1-wp/T)(s+1-wp)/(N-1), T=Tmax-1; "
                              "last pass s = wp+N-1 (wp+N passes)"),
    training=metrics.get("training", {}), metrics=metrics.get("metrics", {}),
    fixtures=dict(dir="fixtures", index="fixtures/index.json", tokenizer="fixtures/tokenizer_ids.json", sampler="fixtures/sampler_runs.json",
                  format=".npy v1.0 little-endian; tolerance 1e-4"),
)
manifest["files"] = {f: dict(sha256=X.sha256(os.path.join(out, f)), bytes=os.path.getsize(os.path.join(out, f))) for f in files}
json.dump(manifest, open(os.path.join(out, "manifest.json"), "w"), indent=1)
tot = sum(v["bytes"] for v in manifest["files"].values()) + os.path.getsize(os.path.join(out, "manifest.json"))
fxs = sum(v["bytes"] for f, v in manifest["files"].items() if f.startswith("fixtures"))
log("bundle bytes", tot, "fixtures bytes", fxs)
