"""Training-only samples (`train_extra.jsonl`): more attack shapes and more benign code for the
classifier, never scored by `guardrail-eval`, so the dev/holdout figures stay comparable run to run.

Everything here comes from **dev** groups or from sources that are not in the scored corpus at all:

- deepteam's single-turn attack templates carry worked example attacks (authority escalation,
  context poisoning, fake system alerts, prompt probing, ...): used as written.
- spikee's *dev* jailbreak wrappers (grouped by jailbreak id, as in the corpus) crossed with every
  spikee instruction pool, so a wrapper is learnt for its framing rather than for one instruction;
  half are planted in dev carriers.
- short dev attacks of every source planted in dev carriers (the indirect shape: an instruction
  inside a README, a page, a JSON payload).
- more source files, READMEs and licence files of the dev packages and crates, and `git log` output
  made from dev crates' changelogs (hard negatives: code, licences and commit logs with real-looking
  e-mail addresses are where the classifier's false positives were).
- synthetic document-embedded instructions and look-alike benign lines (`gen_indirect.py`),
  planted in dev carriers.

A holdout group never contributes: each candidate's corpus group is hashed with the corpus's split
function and skipped unless it lands in dev.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path
from typing import Callable

import corpus_benign
import gen_indirect
from corpus_injection import embed, sample

# Example attacks inside deepteam's generation templates: `"input": "..."` JSON strings.
DEEPTEAM_INPUT = re.compile(r'"input":\s*"((?:[^"\\]|\\.){30,})"')


def deepteam(root: Path) -> list[dict]:
    out = []
    for f in sorted((root / "deepteam" / "attacks").rglob("template.py")):
        text = f.read_text(encoding="utf-8")
        for i, m in enumerate(DEEPTEAM_INPUT.finditer(text)):
            raw = m.group(1).replace("\\\\n", "\n").replace('\\"', '"').replace("{{", "{")
            raw = raw.replace("}}", "}").replace("\\n", "\n").replace("\\\\", "\\")
            out.append(sample("deepteam_example", raw, "deepteam", f"{f.parent.name}:{i}"))
    return out


def spikee_cross(root: Path, rng: random.Random, carriers: list[str],
                 is_dev: Callable[[str], bool]) -> list[dict]:
    base = root / "spikee" / "data" / "workspace" / "datasets"
    instructions: list[str] = []
    wrappers: dict[str, str] = {}
    for ds in sorted(base.iterdir()):
        ins = ds / "instructions.jsonl"
        if ins.exists():
            for line in ins.read_text().splitlines():
                if line.strip():
                    instructions.append(json.loads(line)["instruction"])
        jb = ds / "jailbreaks.jsonl"
        if jb.exists():
            for line in jb.read_text().splitlines():
                if not line.strip():
                    continue
                j = json.loads(line)
                if j.get("jailbreak_type") != "no-jailbreak" and is_dev(f"spikee:{j['id']}"):
                    wrappers.setdefault(j["id"], j["text"])
    instructions = sorted(set(instructions))
    out = []
    for jid, wrapper in sorted(wrappers.items()):
        for instruction in rng.sample(instructions, min(6, len(instructions))):
            attack = wrapper.replace("<INSTRUCTION>", instruction)
            if rng.random() < 0.5:
                out.append(sample("spikee_cross", embed(rng, carriers, attack), "spikee-cross", jid,
                                  payload=attack))
            else:
                out.append(sample("spikee_cross", attack, "spikee-cross", jid))
    return out


def planted(corpus: list[dict], rng: random.Random, carriers: list[str]) -> list[dict]:
    """Short dev attacks (any source) planted in dev carriers, as a poisoned tool result."""
    short = [s for s in corpus if s["detector"] == "injection_attack" and s["label"] == 1
             and s["split"] == "dev" and 20 <= len(s.get("payload") or s["text"]) <= 600]
    out = []
    for s in short:
        attack = s.get("payload") or s["text"]
        out.append(sample("planted", embed(rng, carriers, attack), f"planted:{s['source']}",
                          s["group"], payload=attack))
    return out


def benign_more(pkgs: dict[str, Path], npm_dirs: list[Path], rng: random.Random,
                is_dev: Callable[[str], bool]) -> list[dict]:
    """More files of the dev packages and crates than the scored corpus samples."""
    out = []
    security = {"garak", "pyrit", "spikee", "agentdojo"}
    for name, root in sorted(pkgs.items()):
        if name in security:
            continue
        py = sorted(root.rglob("*.py"))
        for f in rng.sample(py, min(40, len(py))):
            if is_dev(f"pypi-source:{name}:{f.name}"):
                text = corpus_benign.read(f)
                if text:
                    out.append(corpus_benign.sample("code", corpus_benign.clip(text, rng),
                                                    "pypi-source", f"{name}:{f.name}"))
    for root in npm_dirs:
        pkg = root / "package"
        js = sorted(p for p in pkg.rglob("*") if p.suffix in (".js", ".mjs", ".cjs", ".ts")
                    and p.stat().st_size > 200)
        for f in rng.sample(js, min(20, len(js))):
            if is_dev(f"npm-source:{root.name}:{f.name}"):
                text = corpus_benign.read(f)
                if text:
                    out.append(corpus_benign.sample("code", corpus_benign.clip(text, rng),
                                                    "npm-source", f"{root.name}:{f.name}"))
    for d in corpus_benign.cargo_sources():
        if not is_dev(f"crates-source:crate:{d.name}"):
            continue
        files = sorted(d.rglob("*.rs"))
        for f in rng.sample(files, min(12, len(files))):
            text = corpus_benign.read(f)
            if text:
                out.append(corpus_benign.sample("code", corpus_benign.clip(text, rng),
                                                "crates-source", f"crate:{d.name}"))
        for f in sorted(d.glob("LICENSE*")) + sorted(d.glob("COPYRIGHT*")):
            text = corpus_benign.read(f)
            if text:
                out.append(corpus_benign.sample("license", corpus_benign.clip(text, rng),
                                                "crates-license", f"crate:{d.name}"))
        changelog = corpus_benign.read(d / "CHANGELOG.md")
        if changelog:
            out.append(corpus_benign.sample("git_log", git_log(changelog, d.name, rng),
                                            "crates-git-log", f"crate:{d.name}"))
        for f in sorted(d.glob("*.md")):
            text = corpus_benign.read(f)
            if text:
                out.append(corpus_benign.sample("readme", corpus_benign.clip(text, rng),
                                                "crates-readme", f"crate:{d.name}"))
    return out


AUTHORS = ["Alan Smith", "Maria Garcia", "Wei Zhang", "Olivia Brown", "Jonas Müller", "Priya Patel",
           "Tom Jones", "Ana Souza", "Kenji Sato", "Emma Wilson"]
DOMAINS = ["gmail.com", "users.noreply.github.com", "redhat.com", "example.org", "mozilla.com"]


def git_log(changelog: str, crate: str, rng: random.Random) -> str:
    """`git log` output (what a git tool returns) with a crate's changelog lines as messages."""
    lines = [x.lstrip("-* ").strip() for x in changelog.splitlines() if x.lstrip().startswith(("-", "*"))]
    out = []
    for line in lines[:40]:
        name = rng.choice(AUTHORS)
        mail = f"{name.split()[0].lower()}.{name.split()[1].lower()}@{rng.choice(DOMAINS)}"
        out.append(f"commit {rng.getrandbits(160):040x}\nAuthor: {name} <{mail}>\n"
                   f"Date:   {rng.choice(['Mon', 'Tue', 'Wed', 'Thu', 'Fri'])} "
                   f"{rng.choice(['Jan', 'Mar', 'Jun', 'Sep', 'Nov'])} {rng.randint(1, 28)} "
                   f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d} "
                   f"20{rng.randint(15, 25)} {rng.choice(['+0000', '-0700', '+0100'])}\n\n"
                   f"    {line}\n")
    return "\n".join(out) or f"commit {rng.getrandbits(160):040x}\n\n    Initial {crate} import\n"


def collect(pkgs: dict[str, Path], npm_dirs: list[Path], extra: dict[str, Path],
            corpus: list[dict], rng: random.Random, is_dev: Callable[[str], bool]) -> list[dict]:
    carriers = [s["text"] for s in corpus if s["detector"] == "none" and s["split"] == "dev"
                and s["kind"] in ("readme", "prose", "json", "code")]
    out = deepteam(extra["deepteam"])
    out += spikee_cross(pkgs["spikee"], rng, carriers, is_dev)
    out += planted(corpus, rng, carriers)
    out += benign_more(pkgs, npm_dirs, rng, is_dev)
    # Its own seed: the draw does not depend on how much of `rng` the sources above used.
    out += gen_indirect.generate(carriers, random.Random(8))
    return out
