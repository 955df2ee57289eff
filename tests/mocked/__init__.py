"""Core's test style: the client patched, for the flows and the coordinator."""
