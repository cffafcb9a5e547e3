"""Guided flows. ``default_flows()`` lists every flow explicitly (no registry)."""

from __future__ import annotations

from intents.flows.base import Flow


def default_flows() -> dict[str, Flow]:
    flows: list[Flow] = []
    return {f.name: f for f in flows}
