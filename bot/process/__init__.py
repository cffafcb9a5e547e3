"""The running process: settings, runtime wiring, background jobs, KB watch."""
