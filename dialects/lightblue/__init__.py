"""lightblue dialect."""
