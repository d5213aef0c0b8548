"""Shared output of the running-text PII families (`pii_running*.py`): one JSON line per sentence,
persons and addresses labelled 1, benign look-alikes 0."""
import json


def emit(person, address, benign):
    for kind, rows, label in [("PERSON", person, 1), ("ADDRESS", address, 1), ("none", benign, 0)]:
        for lang, text in rows:
            print(json.dumps({"text": text, "kind": kind, "lang": lang, "label": label}, ensure_ascii=False))
