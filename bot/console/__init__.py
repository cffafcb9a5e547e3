"""The staff console (工作人员后台): server-rendered pages under /staff."""

from bot.console.routes import staff_routes

__all__ = ["staff_routes"]
