"""The saving per Equivent, measured on the home's own meter against its baseline."""
