"""Guided flows. ``default_flows()`` lists every flow explicitly (no registry)."""

from __future__ import annotations

from intents.flows.base import Flow
from intents.flows.callback import callback_flow
from intents.flows.card import card_flow
from intents.flows.card_requests import card_preapp_flow, card_status_flow
from intents.flows.follow_up_request import follow_up_flow
from intents.flows.lookup import lookup_flow
from intents.flows.petition import petition_flow
from intents.flows.survival_cert import survival_cert_flow


def default_flows() -> dict[str, Flow]:
    flows: list[Flow] = [
        card_flow(),
        card_preapp_flow(),
        card_status_flow(),
        survival_cert_flow(),
        petition_flow(),
        lookup_flow(),
        follow_up_flow(),
        callback_flow(),
    ]
    return {f.name: f for f in flows}
