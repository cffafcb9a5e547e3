"""The place a question names ("北京的…", "成都市…", "惠来县…"), read against the list of
China's divisions (``knowledge/data/places.txt``), and whether it is another place than
the configured region — so its local part is not answered with our county's numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from knowledge.regions import RegionTree

PLACES = Path(__file__).parent / "data" / "places.txt"
LONGEST = 12  # characters of the longest name looked for ("恩施土家族苗族自治州")
#: "我们县…", "俺们这边…": the asker's own place, not named
OWN_PLACE = re.compile(
    r"(我们|俺们|咱们|我|俺|咱)(这个|那个)?(县|市|区|镇|乡|这边|那边|当地|这里|那里)"
)
_SUFFIX = re.compile(r"(省|市|县|区|自治州|地区|盟|镇|乡|街道|村|社区)$")


#: a county's short name ("惠来") counts only before one of these, so 来安 is not read in
#: "回来安置" nor 都安 in "都安排好了"
COUNTY_SHORT_AFTER = ("这边", "那边", "这里", "那里", "的", "当地", "一带", "人", "本地")
#: a place named as where a petition goes ("去北京讨说法") is not a local question
PETITION = re.compile(r"信访|上访|讨(个)?说法|告状|国家信访局")


@dataclass(frozen=True)
class Place:
    name: str  # full name: 北京市, 惠来县
    level: str  # province | city | county
    short: bool = False  # found by its short name


@lru_cache(maxsize=1)
def gazetteer(path: Path = PLACES) -> dict[str, Place]:
    """Every full and short name -> the place (the first listed wins a shared short name)."""
    names: dict[str, Place] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        full, short, level = line.split()
        names.setdefault(full, Place(full, level))
        if short != "-":
            names.setdefault(short, Place(full, level, short=True))
    return names


def named(text: str, names: dict[str, Place] | None = None) -> list[Place]:
    """The places the text names (each once, in order), the longest name at each position."""
    names = names if names is not None else gazetteer()
    found: dict[str, Place] = {}
    start = 0
    while start < len(text) - 1:
        step = 1
        for end in range(min(len(text), start + LONGEST), start + 1, -1):
            place = names.get(text[start:end])
            if place is None:
                continue
            if (
                place.short
                and place.level == "county"
                and not text[end:].startswith(COUNTY_SHORT_AFTER)
            ):
                continue
            found.setdefault(place.name, place)
            step = end - start
            break
        start += step
    return list(found.values())


def _stem(name: str) -> str:
    return _SUFFIX.sub("", name)


def is_ours(place: Place, regions: RegionTree) -> bool:
    """Is the named place one of the configured regions (the veteran's own or another
    this deployment serves)?"""
    stem = _stem(place.name)
    return any(_stem(r.name) == stem for r in regions)


def elsewhere(text: str, regions: RegionTree) -> Place | None:
    """The one place a question names when it is not a configured region: its local part
    is that place's to decide. None when it names none, ours, or several ("户口在河南，
    人在深圳" asks how the two relate, which the national rule answers)."""
    if PETITION.search(text):
        return None
    places = named(text)
    if len(places) != 1 or is_ours(places[0], regions):
        return None
    return places[0]
