"""Configuration: VETBOT_* environment variables, then an optional vetbot.toml."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

ROOT = Path(__file__).resolve().parents[2]
DEV_SECRET = "dev-only-secret-change-me"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="VETBOT_", toml_file="vetbot.toml", extra="ignore")

    database_url: str = Field(
        "sqlite:///var/vetbot.db", description="SQLAlchemy URL (SQLite file or PostgreSQL)"
    )
    secret_key: str = Field(
        DEV_SECRET, description="Encrypts PII and signs cookies; set it in production"
    )
    secret_key_previous: str = Field(
        "",
        description="Comma-separated keys of before a rotation: their data still opens "
        "(vetbot keys rotate re-seals it under secret_key)",
    )
    dev_mode: bool = Field(
        False, description="Development mode: `vetbot serve` accepts the public default secret"
    )
    cookie_secure: Literal["auto", "always", "never"] = Field(
        "auto",
        description="Secure (and __Host-) console cookies: auto = when the request is https "
        "(directly or via a trusted proxy) or public_url is https",
    )
    forwarded_allow_ips: str = Field(
        "127.0.0.1",
        description="Proxies whose X-Forwarded-For/-Proto are believed (comma-separated IPs or "
        "networks, '*' for any; empty: none)",
    )
    default_region: str | None = Field(
        None, description="Region code used when the veteran's is unknown"
    )
    answer_threshold: float = Field(0.4, description="Confidence at or above which the KB answers")
    regions_file: Path = Field(
        ROOT / "config" / "regions.yaml", description="Region tree with local settings"
    )
    routing_file: Path = Field(
        ROOT / "config" / "routing.yaml",
        description="Ticket routing rules (region × type × category → queue)",
    )
    scheduler_seconds: float = Field(
        60.0, description="Seconds between deadline/escalation sweeps in the server (0: off)"
    )
    kb_dir: Path = Field(ROOT / "knowledge", description="Folder of KB YAML files")
    kb_watch_seconds: float = Field(
        5.0, description="Seconds between checks for KB files edited by another process (0: off)"
    )
    host: str = "127.0.0.1"
    port: int = 8000
    today: dt.date | None = Field(
        None,
        description="Pin today's date (China) for demos, replays and date-pinned test runs; "
        "unset: the system clock",
    )
    holiday_shift: bool = Field(True, description="Move a petition deadline that ends on a holiday")
    holidays_file: Path = Field(
        ROOT / "config" / "holidays.yaml",
        description="Official holiday schedules for years chinese-calendar does not know yet",
    )
    retention_days: int = Field(1095, description="Days to keep closed tickets' PII before purge")
    log_retention_days: int = Field(180, description="Days to keep audit and access logs (>=180)")
    wechat_token: str = ""
    wechat_appid: str = ""
    wechat_secret: str = ""
    wechat_aes_key: str = ""
    wechat_api_base: str = "https://api.weixin.qq.com/cgi-bin/"
    telegram_token: str = ""
    telegram_secret: str = ""
    telegram_api_base: str = "https://api.telegram.org/bot"
    wecom_corp_id: str = ""
    wecom_secret: str = ""
    wecom_agent_id: str = ""
    wecom_api_base: str = "https://qyapi.weixin.qq.com/cgi-bin/"
    public_url: str = Field(
        "", description="Public https base URL (Telegram webhook, links in staff cards)"
    )
    rate_limit_per_minute: int = Field(
        20,
        description="Messages one user may send per minute on any channel before the bot "
        "answers 请稍后再发 without running the engine (0: no limit)",
        ge=0,
    )
    web_rate_limit_per_minute: int = Field(
        60,
        description="Web chat sends and /api/ask calls per client address per minute (0: no limit)",
        ge=0,
    )
    wechat_max_age_seconds: int = Field(
        300,
        description="Refuse WeChat callbacks whose timestamp is further than this from now "
        "(each nonce is also accepted once)",
        ge=30,
    )
    wechat_passive_seconds: float = Field(
        4.0, description="Answer WeChat passively if done within this time"
    )
    outbox_poll_seconds: float = Field(
        2.0, description="Outbox worker poll interval (it is also woken on new rows)"
    )
    outbox_max_attempts: int = Field(
        8, description="Send attempts before a message is marked failed"
    )
    outbox_worker: bool = Field(
        True, description="Run the outbox worker inside each server process"
    )
    inbox_lease_seconds: float = Field(
        15.0,
        description="Seconds a received message is left to the process that received it before "
        "another (or a restarted one) handles it",
    )
    inbox_drain_seconds: float = Field(
        2.0, description="Seconds between looks for inbox messages left unhandled (0: off)"
    )
    log_format: str = Field(
        "json", description="Server log lines: json (one object a line) or text"
    )
    db_connect_timeout: float = Field(5.0, description="Seconds to open a database connection")
    db_statement_timeout: float = Field(
        30.0, description="Seconds one SQL statement may run (0: no limit)"
    )
    db_pool_timeout: float = Field(
        10.0, description="Seconds to wait for a free connection in the pool"
    )
    ready_inbox_lag_seconds: float = Field(
        60.0, description="/readyz fails when a received message waits longer than this"
    )
    ready_outbox_lag_seconds: float = Field(
        300.0, description="/readyz fails when an outgoing message is due longer than this"
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls))
