"""Intake: data in. Uploads read, checked row by row and saved whole or not at all; typed entries; the inbox."""
