"""gainsight dialect."""
