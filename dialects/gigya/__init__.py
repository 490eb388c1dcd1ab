"""gigya dialect."""
