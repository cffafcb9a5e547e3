"""Channels: thin adapters between a platform and the engine (parse → Inbound → shell → render)."""
