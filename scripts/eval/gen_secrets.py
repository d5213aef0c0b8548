"""Secret positives (label 1, detector secrets): tokens synthesised in each provider's documented shape,
embedded in realistic carriers (.env files, YAML/JSON config, shell history, HTTP logs, source code).

The tokens are random, not real; their shapes follow the providers' public formats.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import random
import string

ALNUM = string.ascii_letters + string.digits
UPPER_NUM = string.ascii_uppercase + "234567"
B64 = ALNUM + "+/"
URLSAFE = ALNUM + "-_"


def r(rng: random.Random, alphabet: str, n: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def jwt(rng: random.Random) -> str:
    header = b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    claims = {"sub": str(rng.randrange(10**9)), "iat": 1716000000 + rng.randrange(10**6),
              "scope": rng.choice(["read", "admin", "repo"])}
    body = b64url(json.dumps(claims).encode())
    sig = b64url(hmac.new(r(rng, ALNUM, 32).encode(), f"{header}.{body}".encode(), hashlib.sha256).digest())
    return f"{header}.{body}.{sig}"


def pem(rng: random.Random) -> str:
    label = rng.choice(["RSA PRIVATE KEY", "PRIVATE KEY", "EC PRIVATE KEY", "OPENSSH PRIVATE KEY",
                        "ENCRYPTED PRIVATE KEY"])
    body = base64.b64encode(bytes(rng.randrange(256) for _ in range(rng.choice([121, 256, 600])))).decode()
    lines = [body[i:i + 64] for i in range(0, len(body), 64)]
    return f"-----BEGIN {label}-----\n" + "\n".join(lines) + f"\n-----END {label}-----"


# kind -> (variable name used in carriers, generator)
TOKENS = {
    "aws_access_key_id": ("AWS_ACCESS_KEY_ID", lambda g: rng_pick(g, ["AKIA", "ASIA"]) + r(g, UPPER_NUM, 16)),
    "aws_secret_access_key": ("AWS_SECRET_ACCESS_KEY", lambda g: r(g, B64, 40)),
    "github_token": ("GITHUB_TOKEN", lambda g: rng_pick(g, ["ghp_", "gho_", "ghs_", "ghu_"]) + r(g, ALNUM, 36)),
    "github_fine_grained": ("GH_TOKEN", lambda g: "github_pat_" + r(g, ALNUM, 22) + "_" + r(g, ALNUM, 59)),
    "gitlab_token": ("GITLAB_TOKEN", lambda g: "glpat-" + r(g, URLSAFE, 20)),
    "slack_bot_token": ("SLACK_BOT_TOKEN", lambda g: f"xoxb-{r(g, string.digits, 12)}-{r(g, string.digits, 13)}-{r(g, ALNUM, 24)}"),
    "slack_user_token": ("SLACK_TOKEN", lambda g: f"xoxp-{r(g, string.digits, 12)}-{r(g, string.digits, 12)}-{r(g, string.digits, 13)}-{r(g, 'abcdef0123456789', 32)}"),
    "slack_webhook": ("SLACK_WEBHOOK_URL", lambda g: f"https://hooks.slack.com/services/T{r(g, UPPER_NUM, 8)}/B{r(g, UPPER_NUM, 10)}/{r(g, ALNUM, 24)}"),
    "stripe_secret": ("STRIPE_SECRET_KEY", lambda g: rng_pick(g, ["sk_live_", "rk_live_", "sk_test_"]) + r(g, ALNUM, rng_pick(g, [24, 99]))),
    "openai_key": ("OPENAI_API_KEY", lambda g: rng_pick(g, [
        "sk-proj-" + r(g, URLSAFE, 156),
        "sk-" + r(g, ALNUM, 20) + "T3BlbkFJ" + r(g, ALNUM, 20),
        "sk-svcacct-" + r(g, URLSAFE, 100)])),
    "anthropic_key": ("ANTHROPIC_API_KEY", lambda g: "sk-ant-api03-" + r(g, URLSAFE, 93) + "AA"),
    "google_api_key": ("GOOGLE_API_KEY", lambda g: "AIza" + r(g, URLSAFE, 35)),
    "jwt": ("AUTH_TOKEN", jwt),
    "npm_token": ("NPM_TOKEN", lambda g: "npm_" + r(g, ALNUM, 36)),
    "huggingface_token": ("HF_TOKEN", lambda g: "hf_" + r(g, string.ascii_letters, 34)),
    "sendgrid_key": ("SENDGRID_API_KEY", lambda g: "SG." + r(g, URLSAFE, 22) + "." + r(g, URLSAFE, 43)),
    "twilio_key": ("TWILIO_API_KEY", lambda g: "SK" + r(g, "0123456789abcdef", 32)),
    "shopify_token": ("SHOPIFY_ACCESS_TOKEN", lambda g: rng_pick(g, ["shpat_", "shpss_", "shpca_"]) + r(g, "0123456789abcdef", 32)),
    "digitalocean_token": ("DIGITALOCEAN_TOKEN", lambda g: "dop_v1_" + r(g, "0123456789abcdef", 64)),
    "telegram_bot_token": ("TELEGRAM_BOT_TOKEN", lambda g: f"{g.randrange(10**8, 10**10)}:AA{r(g, URLSAFE, 33)}"),
    "azure_storage": ("AZURE_STORAGE_CONNECTION_STRING", lambda g: f"DefaultEndpointsProtocol=https;AccountName=prod{r(g, string.ascii_lowercase, 6)};AccountKey={base64.b64encode(bytes(g.randrange(256) for _ in range(64))).decode()};EndpointSuffix=core.windows.net"),
    "database_url": ("DATABASE_URL", lambda g: f"{rng_pick(g, ['postgres', 'mysql', 'mongodb+srv', 'redis'])}://{rng_pick(g, ['app', 'admin', 'svc_api'])}:{r(g, ALNUM, rng_pick(g, [12, 16, 24]))}@db-{r(g, string.ascii_lowercase, 5)}.internal.example.com:5432/app"),
    "private_key": ("PRIVATE_KEY", pem),
    "generic_password": ("DB_PASSWORD", lambda g: r(g, ALNUM + "!#%^*", rng_pick(g, [14, 20, 32]))),
    "bearer_token": ("API_TOKEN", lambda g: r(g, URLSAFE, rng_pick(g, [32, 40, 64]))),
}


def rng_pick(rng: random.Random, options: list):
    return options[rng.randrange(len(options))]


FILLER = ["LOG_LEVEL=info", "PORT=8080", "NODE_ENV=production", "REGION=eu-west-1", "WORKERS=4",
          "FEATURE_FLAGS=search,beta-ui", "TZ=UTC"]


def carriers(var: str, value: str, rng: random.Random) -> list[str]:
    multiline = "\n" in value
    quoted = json.dumps(value)
    lower = var.lower()
    fill = rng.sample(FILLER, 3)
    out = [
        "\n".join([fill[0], f"{var}={quoted if multiline else value}", fill[1], fill[2]]),
        f"services:\n  api:\n    image: acme/api:1.4.2\n    environment:\n      - {fill[0]}\n      - {var}={value if not multiline else quoted}\n",
        json.dumps({"name": "billing-worker", "env": {"PORT": "8080", var: value}, "replicas": 2}, indent=2),
        f"$ export {var}={quoted if multiline else value}\n$ ./deploy.sh --env prod\ndeploying billing-worker… done",
        f'import os\n\nclient = Client(\n    base_url="https://api.example.com",\n    {lower}={quoted},\n)\n',
        f"[default]\nregion = eu-west-1\n{lower} = {quoted if multiline else value}\n",
    ]
    if not multiline:
        out += [
            f"2024-05-01 10:22:13 DEBUG outgoing request POST /v1/charges headers={{'Authorization': 'Bearer {value}', 'Content-Type': 'application/json'}}",
            f"curl -s https://api.example.com/v1/items -H \"Authorization: Bearer {value}\" | jq .",
        ]
    return out


def generate(rng: random.Random) -> list[dict]:
    out = []
    for kind, (var, make) in TOKENS.items():
        for i in range(40):
            value = make(rng)
            options = carriers(var, value, rng)
            c = rng.randrange(len(options))
            out.append({"text": options[c], "label": 1, "detector": "secrets", "kind": kind,
                        "source": "synthetic", "group": f"{kind}:{c}"})
    return out
