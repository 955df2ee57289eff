"""Tests of the Equiwatt API client."""
