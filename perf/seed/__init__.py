"""Seed data the database is built from: the ILLUSTRATIVE generator and the REAL published files."""
