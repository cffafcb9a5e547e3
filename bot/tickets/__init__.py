"""工单: the one ticket service every caller uses (console, Telegram, CLI, sweep)."""
