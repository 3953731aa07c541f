"""Word-level tokenizer, written as a HuggingFace tokenizer.json (WordLevel model, Lowercase normalizer,
Whitespace pre-tokenizer, [EOS] appended by a TemplateProcessing post-processor). The Python side
re-implements the same rules; padding/truncation are done by the caller (max length 16, right pad
with [PAD] = 0, attention_mask 1 on real tokens including [EOS])."""
import json, re
from . import domain as D

SPECIALS = ["[PAD]", "[UNK]", "[EOS]"]
PAD, UNK, EOS = 0, 1, 2
MAX_LEN = 16
VOCAB = {t: i for i, t in enumerate(SPECIALS + D.VOCAB_WORDS)}
_WS = re.compile(r"\w+|[^\w\s]+")   # the HF "Whitespace" pre-tokenizer regex


def encode(text):
    ids = [VOCAB.get(w, UNK) for w in _WS.findall(text.lower())] + [EOS]
    ids = ids[:MAX_LEN]
    mask = [1] * len(ids) + [0] * (MAX_LEN - len(ids))
    return ids + [PAD] * (MAX_LEN - len(ids)), mask


def tokenizer_json():
    added = [dict(id=i, content=t, single_word=False, lstrip=False, rstrip=False, normalized=False, special=True)
             for i, t in enumerate(SPECIALS)]
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": added,
        "normalizer": {"type": "Lowercase"},
        "pre_tokenizer": {"type": "Whitespace"},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [{"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "[EOS]", "type_id": 0}}],
            "pair": [{"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "[EOS]", "type_id": 0}},
                     {"Sequence": {"id": "B", "type_id": 1}}, {"SpecialToken": {"id": "[EOS]", "type_id": 1}}],
            "special_tokens": {"[EOS]": {"id": "[EOS]", "ids": [EOS], "tokens": ["[EOS]"]}},
        },
        "decoder": None,
        "model": {"type": "WordLevel", "vocab": VOCAB, "unk_token": "[UNK]"},
    }
