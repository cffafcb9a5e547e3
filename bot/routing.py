"""Which queue (a region's unit) a new ticket goes to."""

from __future__ import annotations

from knowledge.regions import RegionTree

COUNTY_KINDS = frozenset({"crisis"})  # the county duty queue


def queue_for(regions: RegionTree, kind: str, region_code: str | None) -> str:
    """Town station of the veteran's region; unknown region or crisis → county."""
    code = region_code if region_code and region_code in regions else None
    county = regions.ancestor(code or regions.default_code, "county")
    county_code = county.code if county else regions.default_code
    if code is None or kind in COUNTY_KINDS:
        return county_code
    town = regions.ancestor(code, "town")
    return town.code if town else county_code


def unit_name(regions: RegionTree, queue: str) -> str:
    if queue not in regions:
        return queue
    settings = regions.settings(queue)
    region = regions.get(queue)
    if region.level == "town":
        return str(settings.get("station", {}).get("name") or f"{region.name}退役军人服务站")
    return str(settings.get("bureau", {}).get("name") or f"{region.name}退役军人事务局")
