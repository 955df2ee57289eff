"""Development tools: a real Home Assistant with the integration against the simulator."""
