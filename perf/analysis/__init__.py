"""Analysis: what the figures say about the system: measures, demand, capability, reviews, stale limits, status."""
