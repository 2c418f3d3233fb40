"""counter_app/store."""
