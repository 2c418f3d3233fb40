"""Tests of counter_app.core: the rules of DOMAIN.md without devices or a database."""
