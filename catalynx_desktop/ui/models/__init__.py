"""Qt item models: the lazy paged tables and the small whole-list models."""
