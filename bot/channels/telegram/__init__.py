"""Telegram adapter (veterans) and staff commands."""
