#!/usr/bin/env python3
"""Train the shipped name-likeness model (gateway-core/src/guardrails/local/model/namelike.bin).

Offline, by hand, never at run time: `python3 scripts/eval/train_namelike.py` after `make eval` (it
reads `.cache/eval/corpus.jsonl`, Faker from `.cache/eval/pylib`, scikit-learn from
`.cache/eval/pylib-train`, which `train.py` installs).

The model scores one word: how much it looks like a person's first or last name rather than an
ordinary word, from its spelling alone, so that names outside the shipped lists (`model/names.txt`)
can still be recognised next to a person cue. Logistic regression over hashed character 2-, 3- and
4-grams of the lower-cased word with `^`/`$` boundary marks (CRC-32 with seed `n:`, 2^15 buckets).
Positives: the unambiguous names of `model/names.txt` (Faker and faker-js lists). Negatives: every
other word of the corpus's dev split benign texts seen at least twice, and Faker's lorem word lists of
its cased locales (ordinary words of German, French, Italian, Polish, Russian, Czech, Danish, Dutch,
Greek, Ukrainian, Latin, English …). Words in both are dropped. A tenth of each side is held out to
report accuracy; the weights are fitted on all of it and stored as int8 with one scale.

Output format: b"NLK1", u32 bucket count, f32 scale, f32 bias, f32 threshold, then int8 weights.
The threshold keeps 2 % of held-out ordinary words above it.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import random
import re
import struct
import sys
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
CACHE = ROOT / ".cache" / "eval"
MODEL = ROOT / "gateway-core" / "src" / "guardrails" / "local" / "model"
OUT = MODEL / "namelike.bin"
DIM = 1 << 15
WORD = re.compile(r"[^\W\d_]{3,}")
SEED = zlib.crc32(b"n:")


def features(word: str) -> list[int]:
    s = "^" + word.lower() + "$"
    b = s.encode()
    # Byte offsets of characters, so n-grams are whole characters (as the Rust side computes them).
    offs = [i for i in range(len(b)) if (b[i] & 0xC0) != 0x80] + [len(b)]
    out = []
    for n in (2, 3, 4):
        for i in range(len(offs) - n):
            out.append(zlib.crc32(b[offs[i]:offs[i + n]], SEED) & (DIM - 1))
    return out


def names() -> tuple[set[str], set[str]]:
    """Unambiguous names and all names of the committed names.txt (front-coded)."""
    good, every, prev = set(), set(), ""
    for line in (MODEL / "names.txt").read_text(encoding="utf-8").splitlines():
        i = 0
        while i < len(line) and line[i] in "FLA":
            i += 1
        flags, k, rest = line[:i], int(line[i]), line[i + 1:]
        name = prev[:k] + rest
        prev = name
        every.add(name)
        if "A" not in flags and len(name) >= 3:
            good.add(name)
    return good, every


def ordinary_words(every_name: set[str]) -> set[str]:
    counts: dict[str, int] = {}
    with (CACHE / "corpus.jsonl").open(encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            if d["split"] == "dev" and d["detector"] == "none":
                for w in WORD.findall(d["text"]):
                    w = w.lower()
                    counts[w] = counts.get(w, 0) + 1
    words = {w for w, c in counts.items() if c >= 2}
    sys.path.insert(0, str(CACHE / "pylib"))
    import faker.providers.lorem as lorem
    for m in pkgutil.iter_modules(lorem.__path__):
        mod = importlib.import_module(f"faker.providers.lorem.{m.name}")
        prov = getattr(mod, "Provider", None)
        for w in getattr(prov, "word_list", ()) or ():
            w = str(w).lower()
            if WORD.fullmatch(w):
                words.add(w)
    return words - every_name


def main() -> None:
    sys.path.insert(0, str(CACHE / "pylib-train"))
    import numpy as np
    from scipy.sparse import csr_matrix
    from sklearn.linear_model import LogisticRegression

    good, every = names()
    other = ordinary_words(every)
    pos, neg = sorted(good), sorted(other)
    rng = random.Random(7)
    rng.shuffle(pos)
    rng.shuffle(neg)
    print(f"{len(pos)} names, {len(neg)} ordinary words", file=sys.stderr)

    def matrix(words):
        rows, cols = [], []
        for r, w in enumerate(words):
            for c in features(w):
                rows.append(r)
                cols.append(c)
        data = np.ones(len(rows), dtype=np.float32)
        m = csr_matrix((data, (rows, cols)), shape=(len(words), DIM))
        m.sum_duplicates()
        return m

    cut_p, cut_n = len(pos) // 10, len(neg) // 10
    train_w = pos[cut_p:] + neg[cut_n:]
    train_y = [1] * (len(pos) - cut_p) + [0] * (len(neg) - cut_n)
    clf = LogisticRegression(C=1.0, max_iter=400, class_weight="balanced")
    clf.fit(matrix(train_w), train_y)
    sp = clf.decision_function(matrix(pos[:cut_p]))
    sn = clf.decision_function(matrix(neg[:cut_n]))
    threshold = float(np.quantile(sn, 0.98))
    print(f"held out: names above threshold {np.mean(sp > threshold):.3f}, "
          f"ordinary words above {np.mean(sn > threshold):.3f} (threshold {threshold:.3f})",
          file=sys.stderr)

    clf.fit(matrix(pos + neg), [1] * len(pos) + [0] * len(neg))
    w = clf.coef_[0]
    scale = float(np.abs(w).max() / 127.0)
    q = np.clip(np.round(w / scale), -127, 127).astype(np.int8)
    with OUT.open("wb") as f:
        f.write(b"NLK1")
        f.write(struct.pack("<Ifff", DIM, scale, float(clf.intercept_[0]), threshold))
        f.write(q.tobytes())
    for probe in ["schimmelpfennig", "njoroge", "rechnung", "studio", "gateway", "ngozi", "empfang"]:
        print(f"probe {probe}: {clf.decision_function(matrix([probe]))[0]:+.2f}", file=sys.stderr)
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes)", file=sys.stderr)


if __name__ == "__main__":
    main()
