"""Ids and generated display names of the wandb protocol.

wandb's storage ids are opaque strings (base64 of `"Type:number"` on W&B). Here they are base64 of a
JSON array naming the object (`["Run", entity, project, run_id]`), so they resolve without a lookup.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import string

_ADJ = [
    "amber",
    "azure",
    "bold",
    "brisk",
    "calm",
    "cosmic",
    "crimson",
    "dainty",
    "dapper",
    "dauntless",
    "deft",
    "devout",
    "dry",
    "eager",
    "earnest",
    "easy",
    "electric",
    "elegant",
    "fancy",
    "fast",
    "fearless",
    "fine",
    "floral",
    "fluent",
    "fragrant",
    "fresh",
    "gallant",
    "gentle",
    "glamorous",
    "glad",
    "golden",
    "graceful",
    "hardy",
    "hearty",
    "helpful",
    "honest",
    "jolly",
    "lively",
    "lucky",
    "lunar",
    "misty",
    "morning",
    "noble",
    "olive",
    "peach",
    "playful",
    "polished",
    "proud",
    "quiet",
    "radiant",
    "rare",
    "restful",
    "rich",
    "robust",
    "rosy",
    "royal",
    "rural",
    "sage",
    "scarlet",
    "serene",
    "sleek",
    "smooth",
    "snowy",
    "solar",
    "splendid",
    "stellar",
    "still",
    "stilted",
    "sunny",
    "super",
    "swift",
    "twilight",
    "valiant",
    "vibrant",
    "vital",
    "warm",
    "wild",
    "winter",
    "wise",
    "worldly",
    "youthful",
    "zesty",
]
_NOUN = [
    "aardvark",
    "bird",
    "breeze",
    "brook",
    "bush",
    "butterfly",
    "cherry",
    "cloud",
    "darkness",
    "dawn",
    "deluge",
    "dew",
    "dream",
    "dust",
    "eon",
    "energy",
    "feather",
    "field",
    "fire",
    "firefly",
    "flower",
    "fog",
    "forest",
    "frog",
    "frost",
    "galaxy",
    "glade",
    "glitter",
    "grass",
    "haze",
    "hill",
    "lake",
    "leaf",
    "lion",
    "meadow",
    "moon",
    "morning",
    "mountain",
    "night",
    "oath",
    "ocean",
    "paper",
    "pine",
    "plant",
    "planet",
    "pond",
    "puddle",
    "rain",
    "resonance",
    "river",
    "rock",
    "salad",
    "sea",
    "shadow",
    "shape",
    "sky",
    "smoke",
    "snow",
    "snowflake",
    "sound",
    "spaceship",
    "spark",
    "spirit",
    "star",
    "starlight",
    "sun",
    "sunset",
    "surf",
    "terrain",
    "thunder",
    "tree",
    "universe",
    "violet",
    "voice",
    "water",
    "waterfall",
    "wave",
    "wildflower",
    "wind",
    "wood",
    "yogurt",
]


def encode_id(*parts: str) -> str:
    return base64.b64encode(json.dumps(list(parts), separators=(",", ":")).encode()).decode()


def decode_id(value: str | None, kind: str) -> list[str] | None:
    if not value:
        return None
    try:
        doc = json.loads(base64.b64decode(value, validate=True))
    except (ValueError, TypeError):
        return None
    if isinstance(doc, list) and doc and doc[0] == kind and all(isinstance(x, str) for x in doc):
        return doc[1:]
    return None


def display_name(entity: str, project: str, run_id: str, number: int) -> str:
    """wandb-style `adjective-noun-N`, N the run's position in its project; stable for a given run."""
    digest = hashlib.sha256(f"{entity}/{project}/{run_id}".encode()).digest()
    return f"{_ADJ[digest[0] % len(_ADJ)]}-{_NOUN[digest[1] % len(_NOUN)]}-{number}"


def new_run_id() -> str:
    alphabet = string.ascii_lowercase + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(8))
