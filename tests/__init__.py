"""Tests of the Equiwatt integration, its API client and the simulator."""
