"""Rotating the PII key: after `vetbot keys rotate` every sealed value opens with the new
key alone, the same person is still recognised, lookup codes issued before still work
while the old key is kept as previous, and a second run changes nothing."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from bot.cli import app
from bot.process.runtime import Runtime
from bot.shell.inbound import handle, read_state
from bot.tickets.directory import verified
from db import conversations, tickets
from db.crypto import PiiVault, UnreadableSecret
from db.key_rotation import rotate, survey
from db.models import Conversation, Ticket
from db.session import transaction
from intents.turn import Inbound

OLD, NEW = "old-secret-key-for-the-rotation-test", "new-secret-key-for-the-rotation-test"
PII = {"name": "王卫国", "id_number": "110101198001010010", "phone": "13912345678"}


def _file(rt: Runtime, code: str) -> str:
    with transaction(rt.sessions) as session:
        ticket = tickets.create(
            session,
            rt.vault,
            tickets.NewTicket(
                kind="petition", queue="990101", summary="优抚金未发放",
                received_on=dt.date(2026, 3, 2), region_code="990101001", category="抚恤优待",
                pii=dict(PII), lookup_hash=rt.vault.hash(code),
            ),
        )  # fmt: skip
        return ticket.number


def _with_vault(rt: Runtime, vault: PiiVault) -> Runtime:
    return dataclasses.replace(rt, vault=vault)


def test_rotation_reseals_everything_and_keeps_people_and_codes(runtime: Runtime) -> None:
    before = _with_vault(runtime, PiiVault(OLD))
    number = _file(before, "AB12CD")
    handle(before, Inbound("web", "vet-rot", "优待证怎么申请", before.clock.now()))
    ring = PiiVault(NEW, (OLD,))
    assert (
        survey(runtime.sessions, ring).previous >= 4 and survey(runtime.sessions, ring).current == 0
    )

    done = rotate(runtime.sessions, ring, batch=1)  # one row per transaction: the batching is used
    assert done.total >= 4 and not done.unreadable

    new_only = PiiVault(NEW)
    with runtime.sessions() as session:
        ticket = session.scalars(select(Ticket).where(Ticket.number == number)).one()
        assert new_only.decrypt(ticket.name_enc) == PII["name"]
        assert new_only.decrypt(ticket.phone_enc) == PII["phone"]
        assert ticket.id_hash == new_only.hash(PII["id_number"])  # the same person is found
        conv = conversations.get_or_create(session, "web", "vet-rot")
        assert read_state(conv, new_only).last_activity is not None  # opens with the new key
        with pytest.raises(UnreadableSecret):
            PiiVault(OLD).decrypt(ticket.name_enc)
        assert verified(session, ring, number, "AB12CD") is not None  # old code, old key kept
        assert verified(session, new_only, number, "AB12CD") is None  # …only while it is kept
    after = survey(runtime.sessions, ring)
    assert after.previous == 0 and after.unknown == 0 and after.current >= 4
    again = rotate(runtime.sessions, ring)  # idempotent: values open, are sealed again
    assert not again.unreadable


def test_values_under_an_unknown_key_are_reported_not_destroyed(runtime: Runtime) -> None:
    number = _file(_with_vault(runtime, PiiVault("some-other-key-nobody-configured")), "ZZ99")
    done = rotate(runtime.sessions, PiiVault(NEW, (OLD,)))
    assert done.unreadable.get("tickets.name_enc") == 1
    with runtime.sessions() as session:
        ticket = session.scalars(select(Ticket).where(Ticket.number == number)).one()
        assert PiiVault("some-other-key-nobody-configured").decrypt(ticket.name_enc) == "王卫国"
        assert session.scalar(select(Conversation).limit(1)) is None


def test_cli_rotate_and_check(runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    _file(_with_vault(runtime, PiiVault(OLD)), "CODE42")
    monkeypatch.setenv("VETBOT_DATABASE_URL", runtime.settings.database_url)
    monkeypatch.setenv("VETBOT_SECRET_KEY", NEW)
    cli = CliRunner()
    monkeypatch.setenv("VETBOT_SECRET_KEY_PREVIOUS", "")
    assert cli.invoke(app, ["keys", "check"]).exit_code == 1  # old data, old key not configured
    assert cli.invoke(app, ["keys", "rotate"]).exit_code == 2  # nothing to rotate from: says how
    monkeypatch.setenv("VETBOT_SECRET_KEY_PREVIOUS", OLD)
    checked = cli.invoke(app, ["keys", "check"])
    assert checked.exit_code == 0 and "under a previous key: 3" in checked.stdout
    rotated = cli.invoke(app, ["keys", "rotate"])
    assert rotated.exit_code == 0 and "re-sealed 3 values" in rotated.stdout
    assert "under a previous key: 0" in cli.invoke(app, ["keys", "check"]).stdout
    assert len(cli.invoke(app, ["keys", "new"]).stdout.strip()) == 64
