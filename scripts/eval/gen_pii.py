"""PII positives (label 1, detector pii) generated with Faker in several locales, each value embedded in a
realistic carrier: a JSON record, a CSV row, a log line, a form, a sentence.

Kinds: EMAIL, PHONE, CREDIT_CARD, IBAN, US_SSN, IP_ADDRESS (v4 and v6), and PERSON / ADDRESS without
cue words (a known weakness of a pattern engine, reported as separate rows).
"""

from __future__ import annotations

import json
import random

from faker import Faker

LOCALES = ["en_US", "en_GB", "de_DE", "fr_FR", "es_ES", "it_IT", "nl_NL", "pt_BR", "pl_PL", "en_IN",
           "sv_SE", "en_AU"]
PER_KIND_LOCALE = 30

CARRIERS = [
    lambda k, v: json.dumps({"id": 4711, "field": k.lower(), "value": v, "verified": True}),
    lambda k, v: f"id,{k.lower()},created\n4711,{v},2024-03-02",
    lambda k, v: f"2024-05-01T10:22:13Z INFO request handled user_ref={v} status=200 latency_ms=31",
    lambda k, v: f"Please update my details: {v}. Thanks!",
    lambda k, v: f"{k.replace('_', ' ').title()}: {v}",
    lambda k, v: f"| 4711 | {v} | active |",
    lambda k, v: f"Forwarding the customer's record as requested.\n\n  {v}\n\nLet me know if anything is missing.",
    lambda k, v: f'<customer id="4711"><value>{v}</value></customer>',
    lambda k, v: f"The value on file is {v} and it was last confirmed in March.",
    lambda k, v: f"user:\n  ref: 4711\n  data: \"{v}\"\n",
]


def values(fake: Faker, kind: str, locale: str, rng: random.Random) -> str | None:
    if kind == "EMAIL":
        return rng.choice([fake.email, fake.free_email, fake.company_email])()
    if kind == "PHONE":
        return fake.phone_number()
    if kind == "CREDIT_CARD":
        number = fake.credit_card_number()
        if rng.random() < 0.5 and len(number) == 16:
            sep = rng.choice([" ", "-"])
            number = sep.join(number[i:i + 4] for i in range(0, 16, 4))
        return number
    if kind == "IBAN":
        iban = fake.iban()
        if rng.random() < 0.5:
            iban = " ".join(iban[i:i + 4] for i in range(0, len(iban), 4))
        return iban
    if kind == "US_SSN":
        return fake.ssn() if locale == "en_US" else None
    if kind == "IP_ADDRESS":
        return rng.choice([fake.ipv4_public, fake.ipv4_private, fake.ipv6])()
    if kind == "PERSON":
        return fake.name()
    if kind == "ADDRESS":
        return fake.address().replace("\n", ", ")
    return None


def generate(rng: random.Random) -> list[dict]:
    out = []
    for locale in LOCALES:
        fake = Faker(locale)
        fake.seed_instance(rng.randrange(1 << 30))
        for kind in ["EMAIL", "PHONE", "CREDIT_CARD", "IBAN", "US_SSN", "IP_ADDRESS", "PERSON", "ADDRESS"]:
            n = PER_KIND_LOCALE * (6 if kind == "US_SSN" else 1)
            for _ in range(n):
                try:
                    v = values(fake, kind, locale, rng)
                except AttributeError:
                    v = None
                if v is None:
                    break
                c = rng.randrange(len(CARRIERS))
                out.append({"text": CARRIERS[c](kind, v), "label": 1, "detector": "pii", "kind": kind,
                            "source": "faker", "group": f"{kind}:{locale}:{c}"})
    return out
