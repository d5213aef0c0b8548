#!/usr/bin/env python3
"""Build the committed gazetteers: person names (model/names.txt) and street types (model/streets.txt)
under gateway-core/src/guardrails/local/.

Offline, by hand: `python3 scripts/eval/gazetteer.py` after `make eval` (which installs Faker into
`.cache/eval/pylib`). Sources: the person-name lists of Faker 33.3.1 (MIT licence, PyPI) and of
@faker-js/faker 10.6.0 (MIT licence, npm; its lists are independent of Python Faker's and about twice as
long, read with `node`), every locale whose names are written in an alphabet with capital letters
(Latin, Cyrillic, Greek, Armenian, Georgian); CJK, Arabic, Hebrew, Indic and Thai locales are left out
because the Rust matcher relies on capitalised words separated by spaces.

Names that are also ordinary words are marked ambiguous: those seen in lower case at least twice in
the *dev* split's benign texts (READMEs, code, prose: `will`, `long`, `price`, `case`) or in a short
built-in list. The matcher needs one unambiguous part, or a field-like context, before it fires.

names.txt format (UTF-8, one entry a line, sorted, front-coded to stay small):
`<flags><k><suffix>`: flags from `F` (first name), `L` (last name), `A` (ambiguous); `k` one digit,
the number of leading characters shared with the previous name; names lower-cased.

streets.txt: `<kind> <word>` with kind `P` (a word before the street's name: calle, rue, via, ulica),
`S` (a word after it: street, avenue, lake) or `C` (a suffix glued to it: straße, gatan, laan), from
Faker's address providers (street_prefixes, street_suffixes) of the same locales, plus abbreviations.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tarfile
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
CACHE = ROOT / ".cache" / "eval"
OUT = ROOT / "gateway-core" / "src" / "guardrails" / "local" / "model" / "names.txt"
STREETS = OUT.with_name("streets.txt")
EXTRA_STREETS = ["P ul.", "P al.", "P pl.", "P os.", "P av.", "P avda.", "P c/", "P bd.", "P r.",
                 "P strada", "P calea", "P jalan", "P jl.", "S st.", "S rd.", "S ave.", "S blvd.",
                 "S ln.", "S dr.", "S ct.", "S pl.", "C str.",
                 # Italian and French street words Faker lists only as suffixes, or not at all.
                 "P corso", "P piazzale", "P lungomare", "P salita", "P impasse", "P allée", "P quai"]
SKIP = {"ar_AA", "ar_PS", "ar_SA", "bn_BD", "fa_IR", "gu_IN", "he_IL", "hi_IN", "ja_JP", "ko_KR",
        "ne_NP", "or_IN", "ta_IN", "th_TH", "zh_CN", "zh_TW", "en_TH"}
COMMON = """a an and are as at be but by can do for from go has have he her his how if in into is it its
me my no not of on or our out so than that the their them then there they this to up us was we what
when who why will with you your new all any may one two see use via per each more most also just
""".split()

WORD = re.compile(r"[^\W\d_]+")
FAKER_JS = "@faker-js/faker@10.6.0"
# Joke or transliteration-only locales of faker-js.
FAKER_JS_SKIP = {"en_BORK", "en_AU_ocker", "base"}
DUMP_JS = """
const { allLocales } = await import(process.argv.at(-1));
const flat = (x) => !x ? [] : Array.isArray(x) ? x : Object.values(x).flat();
const out = {};
for (const [code, def] of Object.entries(allLocales)) {
  if (def.person) out[code] = { first: flat(def.person.first_name), last: flat(def.person.last_name) };
}
console.log(JSON.stringify(out));
"""


def faker_js_names() -> dict[str, dict[str, list[str]]]:
    """Person names per locale from @faker-js/faker (npm pack into .cache/eval/npm, then node)."""
    dest = CACHE / "npm"
    dest.mkdir(parents=True, exist_ok=True)
    tgz = dest / "faker-js-faker-10.6.0.tgz"
    if not tgz.exists():
        subprocess.run(["npm", "pack", FAKER_JS, "--silent", "--pack-destination", str(dest)], check=True,
                       stdout=subprocess.DEVNULL)
    root = dest / "faker-js-faker-10.6.0"
    if not root.exists():
        tmp = root.with_suffix(".tmp")
        with tarfile.open(tgz) as t:
            t.extractall(tmp, filter="data")
        tmp.rename(root)
    entry = root / "package" / "dist" / "index.js"
    out = subprocess.run(["node", "--input-type=module", "-e", DUMP_JS, str(entry)], check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out)


def add_parts(name, into: set[str], cased_only: bool) -> None:
    """Adds each space- or hyphen-separated part of `name`, lower-cased, that is a word of two letters
    or more; with `cased_only`, only parts that start with a capital letter."""
    for part in re.split(r"[\s-]+", str(name)):
        part = part.strip()
        if cased_only and not part[:1].isupper():
            continue
        part = part.lower()
        if len(part) >= 2 and WORD.fullmatch(part):
            into.add(part)


def main() -> None:
    sys.path.insert(0, str(CACHE / "pylib"))
    import pkgutil

    import faker
    import faker.providers.person as person
    from faker import Faker

    first: set[str] = set()
    last: set[str] = set()
    for m in pkgutil.iter_modules(person.__path__):
        loc = m.name
        if loc in SKIP or "_" not in loc:
            continue
        fake = Faker(loc)
        prov = next(p for p in fake.providers if p.__module__.startswith("faker.providers.person"))
        for attr, into in [("first_names", first), ("first_names_male", first),
                           ("first_names_female", first), ("last_names", last),
                           ("last_names_male", last), ("last_names_female", last)]:
            for name in getattr(prov, attr, ()) or ():
                add_parts(name, into, cased_only=False)

    for loc, lists in faker_js_names().items():
        if loc in FAKER_JS_SKIP:
            continue
        for key, into in [("first", first), ("last", last)]:
            for name in lists[key]:
                # Cased scripts only: Python Faker's uncased locales are skipped by name above.
                add_parts(name, into, cased_only=True)

    lower_counts: Counter[str] = Counter()
    with (CACHE / "corpus.jsonl").open(encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            if d["split"] == "dev" and d["detector"] == "none":
                for w in WORD.findall(d["text"]):
                    if w.islower():
                        lower_counts[w] += 1
    ambiguous = {w for w in first | last if lower_counts[w] >= 2 or w in COMMON or len(w) <= 2}

    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", encoding="utf-8") as out:
        prev = ""
        for name in sorted(first | last):
            flags = ("F" if name in first else "") + ("L" if name in last else "") + (
                "A" if name in ambiguous else "")
            k = 0
            while k < min(9, len(prev), len(name)) and prev[k] == name[k]:
                k += 1
            out.write(f"{flags}{k}{name[k:]}\n")
            prev = name

    streets: set[str] = set(EXTRA_STREETS)
    import faker.providers.address as address
    for m in pkgutil.iter_modules(address.__path__):
        loc = m.name
        if loc in SKIP or "_" not in loc:
            continue
        try:
            fake = Faker(loc)
        except AttributeError:
            continue
        prov = next(p for p in fake.providers if p.__module__.startswith("faker.providers.address"))
        formats = " ".join(getattr(prov, "street_name_formats", ()) or ())
        glued = "}}{{street_suffix" in formats
        for attr in ["street_prefixes", "street_prefixes_long", "street_prefixes_short"]:
            for w in getattr(prov, attr, ()) or ():
                if isinstance(w, str) and w.strip() and " " not in w.strip():
                    streets.add(f"P {w.strip().lower()}")
        for attr in ["street_suffixes", "street_suffixes_long", "street_suffixes_short"]:
            for w in getattr(prov, attr, ()) or ():
                if not isinstance(w, str) or not w.strip() or " " in w.strip():
                    continue
                w = w.strip()
                kind = "C" if (glued and w[0].islower()) or attr.endswith("short") else "S"
                if kind == "S" and formats.startswith("{{street_suffix"):
                    kind = "P"  # Italian: "{{street_suffix}} {{last_name}}" (Piazza Garibaldi)
                streets.add(f"{kind} {w.lower()}")
    # Glued suffixes of the languages that write street names as one word, beyond Faker's lists.
    streets.update(f"C {w}" for w in ["strasse", "gasse", "platz", "allee", "damm", "ufer", "chaussee",
                                       "straat", "laan", "gracht", "plein", "singel", "kade", "dijk",
                                       "gatan", "vägen", "gränd", "stigen", "torget", "gade", "vej",
                                       "veien", "vegen", "gata", "katu", "tie", "kuja", "utca"])
    STREETS.write_text("".join(f"{w}\n" for w in sorted(streets)), encoding="utf-8")
    print(f"faker {faker.VERSION}: {len(first)} first names, {len(last)} last names, "
          f"{len(ambiguous)} ambiguous; wrote {OUT} ({OUT.stat().st_size} bytes), {STREETS} "
          f"({len(streets)} street words)", file=sys.stderr)


if __name__ == "__main__":
    main()
