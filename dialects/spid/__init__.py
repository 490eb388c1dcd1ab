"""spid dialect."""
