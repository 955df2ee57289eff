"""Unit tests of the pure modules: tracker and schedule."""
