"""Demo data: a deterministic generator (generator.py) and its loading into a database (loader.py)."""
