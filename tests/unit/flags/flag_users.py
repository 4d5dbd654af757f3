"""1,000 seeded evaluation contexts that reach every branch of the example's and corpus's rules.

E-mails in and out of the lists and domains the rules test, versions good, partial and bad, regions and
tiers, ``beta`` as a boolean or a string, and contexts without a targeting key or with odd types, so
that JsonLogic's coercions are exercised too.
"""

from __future__ import annotations

import random
from typing import Any

DOMAINS = ("azora.dev", "partner.example", "example.com", "northwind-partners.com")
NAMES = ("alice", "bob", "admin", "adminx", "ops", "audit", "carol", "dave")
VERSIONS = ("1.0.0", "2.3.1", "v3.1", "4", "2.0.0-rc.1", "3.9.9+build.7", "0.1", "bad", "", "V1.5.2")
REGIONS = ("eu-west", "us-east", "ap-south", "eu-central", "us-west")
TIERS = ("free", "business", "enterprise", "pro")


def users(count: int = 1000, seed: int = 11) -> list[dict[str, Any]]:
    """``count`` OFREP contexts (``targetingKey`` plus attributes)."""
    rng = random.Random(seed)
    return [_user(rng, index) for index in range(count)]


def _user(rng: random.Random, index: int) -> dict[str, Any]:
    user: dict[str, Any] = {}
    if rng.random() < 0.9:
        user["targetingKey"] = f"user-{index}-{rng.randrange(10**6)}"
    if rng.random() < 0.9:
        user["email"] = f"{rng.choice(NAMES)}@{rng.choice(DOMAINS)}"
    elif rng.random() < 0.5:
        user["email"] = rng.choice([42, None, ["a@azora.dev"], True])
    if rng.random() < 0.8:
        user["version"] = rng.choice(VERSIONS)
    if rng.random() < 0.8:
        user["region"] = rng.choice(REGIONS)
    if rng.random() < 0.8:
        user["tier"] = rng.choice(TIERS)
    if rng.random() < 0.7:
        user["beta"] = rng.choice([True, False, "true", 1, 0])
    return user
