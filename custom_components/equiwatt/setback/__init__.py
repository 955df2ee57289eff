"""The setback: heating zones and plugs set back once per Equivent, each put exactly back."""
