"""Reliability on real `doppelgate serve` processes (issue 13): limits, the control plane's gate,
idle connections."""
