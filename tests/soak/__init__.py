"""The fault soak: a simulated week through Home Assistant."""
