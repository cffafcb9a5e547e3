"""The region tree (省→市→县(区)→乡镇(街道)→村(社区)) and its inherited settings."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from rapidfuzz import fuzz, process

from knowledge.text import clean

LEVELS = ("province", "city", "county", "town", "village")
LEVEL_NAMES = {
    "province": "省",
    "city": "市",
    "county": "县(区)",
    "town": "乡镇(街道)",
    "village": "村(社区)",
}


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    level: str
    parent: str | None
    settings: dict[str, Any] = field(default_factory=dict)


class RegionError(ValueError):
    """A region file that is not a valid tree."""


class RegionTree:
    def __init__(self, regions: list[Region], default_code: str) -> None:
        self._by_code = {r.code: r for r in regions}
        if len(self._by_code) != len(regions):
            raise RegionError("duplicate region codes")
        for r in regions:
            if r.level not in LEVELS:
                raise RegionError(f"{r.code}: unknown level {r.level!r}")
            if r.parent and r.parent not in self._by_code:
                raise RegionError(f"{r.code}: unknown parent {r.parent}")
        if default_code not in self._by_code:
            raise RegionError(f"default region {default_code} is not in the tree")
        self.default_code = default_code
        self._published: tuple[str, ...] | None = None

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def __iter__(self) -> Iterator[Region]:
        return iter(self._by_code.values())

    def get(self, code: str) -> Region:
        return self._by_code[code]

    def chain(self, code: str) -> list[Region]:
        """The region and its ancestors, most specific first."""
        out: list[Region] = []
        current: str | None = code
        while current:
            region = self._by_code[current]
            out.append(region)
            current = region.parent
        return out

    def settings(self, code: str) -> dict[str, Any]:
        """Settings merged down the tree (a child's values win, dicts merge)."""
        merged: dict[str, Any] = {}
        for region in reversed(self.chain(code)):
            merged = _merge(merged, region.settings)
        return merged

    def published_texts(self) -> tuple[str, ...]:
        """Every text in the regions' settings (published phones, addresses, hours):
        what the bot may repeat to anyone, e.g. to keep public phones unmasked."""
        if self._published is None:
            self._published = tuple(
                text for r in self._by_code.values() for text in _strings(r.settings)
            )
        return self._published

    def children(self, code: str) -> list[Region]:
        return [r for r in self._by_code.values() if r.parent == code]

    def ancestor(self, code: str, level: str) -> Region | None:
        return next((r for r in self.chain(code) if r.level == level), None)

    def parent_of(self, code: str) -> Region | None:
        parent = self._by_code[code].parent
        return self._by_code[parent] if parent else None

    def subtree(self, code: str) -> set[str]:
        """Codes of the region and everything below it."""
        return {
            r.code for r in self._by_code.values() if code in {c.code for c in self.chain(r.code)}
        }

    def full_name(self, code: str) -> str:
        names = [
            r.name for r in reversed(self.chain(code)) if r.level in ("county", "town", "village")
        ]
        return "".join(names)

    def match(self, text: str, within: str | None = None, limit: int = 3) -> list[Region]:
        """Regions whose name fuzzily matches a typed name (typos, 繁體, missing 镇/村)."""
        wanted = clean(text).strip()
        if not wanted:
            return []
        pool = [r for r in self._by_code.values() if r.level in ("town", "village")]
        if within:
            allowed = self.subtree(within)
            pool = [r for r in pool if r.code in allowed]
        exact = [r for r in pool if r.name == wanted or r.name in wanted]
        if exact:
            return sorted(exact, key=lambda r: -len(r.name))[:limit]
        names = {r.code: r.name for r in pool}
        found = process.extract(wanted, names, scorer=_name_score, limit=limit, score_cutoff=60)
        return [self._by_code[code] for _, _, code in found]


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _name_score(a: str, b: str, **_: Any) -> float:
    core = b.rstrip("镇乡村街道社区")
    return max(fuzz.ratio(a, b), fuzz.ratio(a, core) if core else 0.0)


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def load(path: Path) -> RegionTree:
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise RegionError(f"{path}: {exc}") from exc
    regions = [
        Region(
            code=str(r["code"]),
            name=str(r["name"]),
            level=str(r["level"]),
            parent=str(r["parent"]) if r.get("parent") else None,
            settings=dict(r.get("settings") or {}),
        )
        for r in doc.get("regions", [])
    ]
    return RegionTree(regions, str(doc.get("default_region") or regions[0].code))
