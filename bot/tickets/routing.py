"""Which queue (a unit of the region tree) receives a ticket, and where it escalates.

Rules (``config/routing.yaml``): region subtree × ticket type × category → queue.
Default: the town station of the veteran's region; unknown region → the county.
Escalation walks up the tree: village → town → county → city.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from knowledge.regions import LEVELS, RegionTree

TOP = "city"  # escalation stops at the city bureau


class RoutingError(ValueError):
    """A routing file that cannot be used."""


@dataclass(frozen=True)
class Rule:
    queue: str  # a level of the veteran's region (town, county…) or a region code
    region: str | None = None  # only inside this region's subtree
    kinds: frozenset[str] = frozenset()
    categories: frozenset[str] = frozenset()
    name: str = ""

    def matches(
        self, regions: RegionTree, kind: str, region: str | None, category: str | None
    ) -> bool:
        if self.kinds and kind not in self.kinds:
            return False
        if self.categories and category not in self.categories:
            return False
        return self.region is None or (
            region is not None and self.region in {r.code for r in regions.chain(region)}
        )


@dataclass(frozen=True)
class Routing:
    rules: tuple[Rule, ...] = (
        Rule("county", kinds=frozenset({"crisis"}), name="crisis to the county duty queue"),
    )
    default: str = "town"


DEFAULT = Routing()


def queue_for(
    regions: RegionTree,
    kind: str,
    region_code: str | None,
    category: str | None = None,
    routing: Routing = DEFAULT,
) -> str:
    """The queue for a new ticket (首问负责: that unit owns it until it is transferred)."""
    code = region_code if region_code and region_code in regions else None
    rule = next((r for r in routing.rules if r.matches(regions, kind, code, category)), None)
    target = rule.queue if rule else routing.default
    if target not in LEVELS:
        return target if target in regions else _county(regions, code)
    if code is None:
        return _county(regions, None)
    found = regions.ancestor(code, target)
    return found.code if found else _county(regions, code)


def _county(regions: RegionTree, code: str | None) -> str:
    county = regions.ancestor(code or regions.default_code, "county")
    return county.code if county else regions.default_code


def with_db_rules(base: Routing, rows: Iterable[Any]) -> Routing:
    """The file's routing with the database's rules tried first (staff changes win)."""
    extra = tuple(
        Rule(
            queue=str(row.queue),
            region=row.region or None,
            kinds=_set(k for k in str(row.kinds or "").split(",") if k),
            categories=_set(c for c in str(row.categories or "").split(",") if c),
            name=f"[db {row.id}] {row.name}".strip(),
        )
        for row in rows
    )
    return Routing(extra + base.rules, base.default) if extra else base


def parent_queue(regions: RegionTree, queue: str) -> str | None:
    """The next unit up (village → town → county → city), or None at the top."""
    if queue not in regions or regions.get(queue).level in ("province", TOP):
        return None
    parent = regions.parent_of(queue)
    return parent.code if parent else None


def unit_name(regions: RegionTree, queue: str) -> str:
    if queue not in regions:
        return queue
    settings = regions.settings(queue)
    region = regions.get(queue)
    if region.level in ("town", "village"):
        own = region.settings.get("station", {}).get("name") if region.level == "town" else None
        return str(own or f"{region.name}退役军人服务站")
    own_bureau = region.settings.get("bureau", {}).get("name")
    return str(
        own_bureau or settings.get("bureau", {}).get("name") or f"{region.name}退役军人事务局"
    )


def parse(doc: dict[str, Any], regions: RegionTree | None = None) -> Routing:
    rules = tuple(_rule(n, raw) for n, raw in enumerate(doc.get("rules") or [], 1))
    routing = Routing(rules, str(doc.get("default") or "town"))
    if regions is not None:
        check(routing, regions)
    return routing


def _rule(n: int, raw: dict[str, Any]) -> Rule:
    if not isinstance(raw, dict) or not raw.get("queue"):
        raise RoutingError(f"rule {n}: needs a queue")
    return Rule(
        queue=str(raw["queue"]),
        region=str(raw["region"]) if raw.get("region") else None,
        kinds=_set(raw.get("kinds")),
        categories=_set(raw.get("categories")),
        name=str(raw.get("name") or f"rule {n}"),
    )


def _set(values: Iterable[Any] | None) -> frozenset[str]:
    return frozenset(str(v) for v in values or ())


def check(routing: Routing, regions: RegionTree) -> None:
    """Every code a rule names is in the region tree, every level is a level."""
    for rule in routing.rules:
        if rule.region is not None and rule.region not in regions:
            raise RoutingError(f"{rule.name}: unknown region {rule.region}")
        if rule.queue not in LEVELS and rule.queue not in regions:
            raise RoutingError(
                f"{rule.name}: queue {rule.queue} is neither a level nor a region code"
            )
    if routing.default not in LEVELS and routing.default not in regions:
        raise RoutingError(f"default queue {routing.default} is neither a level nor a region code")


def load(path: Path, regions: RegionTree | None = None) -> Routing:
    """Read a routing file; a missing file means the built-in default."""
    if not path.exists():
        return DEFAULT
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise RoutingError(f"{path}: {exc}") from exc
    return parse(doc, regions)


@lru_cache(maxsize=8)
def _load_at(path: str, _mtime: float) -> Routing:
    return load(Path(path))


def current(path: Path) -> Routing:
    """The routing file's rules, re-read when the file changes."""
    mtime = path.stat().st_mtime if path.exists() else 0.0
    return _load_at(str(path), mtime)
