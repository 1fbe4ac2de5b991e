"""Live push: a WebSocket per client, fed by a per-process hub that tails the event log."""
