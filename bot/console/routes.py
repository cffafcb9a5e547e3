"""Every /staff route, in one table (mounted by ``bot.app.routes``)."""

from __future__ import annotations

from starlette.routing import Route

from bot.console import account, accounts, consult, curation, dashboard, queue_page, ticket_page
from bot.console.guard import action, page


def staff_routes() -> list[Route]:
    return [
        Route("/", page(queue_page.home)),
        Route("/login", account.login_page),
        Route("/login", account.login_submit, methods=["POST"]),
        Route("/logout", action(account.logout), methods=["POST"]),
        Route("/password", page(account.password_page)),
        Route("/password", action(account.password_submit), methods=["POST"]),
        Route("/accounts", page(accounts.page, "admin")),
        Route("/accounts/unlock", action(accounts.unlock, "admin"), methods=["POST"]),
        Route("/accounts/logout", action(accounts.end_sessions, "admin"), methods=["POST"]),
        Route("/queue/{view}", page(queue_page.queue)),
        Route("/tickets/{number}", page(ticket_page.page)),
        Route("/tickets/{number}/messages", page(ticket_page.poll)),
        Route("/tickets/{number}/reveal", action(ticket_page.reveal), methods=["POST"]),
        Route("/tickets/{number}/{action}", action(ticket_page.act), methods=["POST"]),
        Route("/consult", page(consult.page)),
        Route("/consult/record", action(consult.record), methods=["POST"]),
        Route("/kb", page(curation.page, "supervisor")),
        Route("/kb/attach", action(curation.attach, "supervisor"), methods=["POST"]),
        Route("/kb/new", action(curation.create, "supervisor"), methods=["POST"]),
        Route("/dashboard", page(dashboard.page, "supervisor")),
        Route("/reports/tickets.csv", page(dashboard.tickets_csv, "supervisor")),
        Route("/reports/summary.csv", page(dashboard.summary_csv, "supervisor")),
    ]
