"""Tests of the setback: core's real tado and other real thermostats and plugs."""
