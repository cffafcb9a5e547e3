"""One inbound message → one transaction: dedupe → state → step → effects → outbox."""
