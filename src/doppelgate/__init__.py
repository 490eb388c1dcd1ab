"""doppelgate: four third-party data APIs emulated on one document engine."""

__version__ = "0.1.0"
