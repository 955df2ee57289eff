"""A local Equiwatt: the Open API, its rate limits and faults, and the webhook sender.

It shares no code with the client in `custom_components/equiwatt/api/`: it is
an independent reading of the API, so that a misreading cannot hide in both.
"""

from .clock import Clock, ManualClock, RealClock
from .server import build_app
from .world import Faults, World

__all__ = ["Clock", "Faults", "ManualClock", "RealClock", "World", "build_app"]
