"""Core's test style: one file per platform, each with a snapshot of its entities."""
