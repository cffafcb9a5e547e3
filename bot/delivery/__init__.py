"""Delivery: the outbox worker, per-channel senders, staff notifications, token cache.

Public entry points:

- ``bot.delivery.worker.OutboxWorker`` — sends outbox rows with retries.
- ``bot.delivery.staff_reply.send_staff_reply`` — a staff member's reply to a ticket's veteran.
- ``bot.delivery.notifications.notify_unit`` — a notification to the staff of a unit.
- ``bot.delivery.staff_link.issue_link_code`` — the one-time code that links a Telegram chat.
"""
