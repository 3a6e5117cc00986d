"""Tests of published rounds (evaluator.store), on SQLite and a real PostgreSQL server."""
