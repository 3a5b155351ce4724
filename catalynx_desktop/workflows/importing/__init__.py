"""The import pipeline: one file into source_records, off the event loop, in batches.

- importer.py: import_file, the orchestrator (replay a cached parse, else parse; write; report)
- pump.py: the parse pump (parser output grouped into batches on a bounded queue)
- parse_process.py: parsing a big file in a child process, rows streamed back through a pipe
- cache_replay.py: a cached parse as batches, and what makes a cached copy unusable
- writer.py: one batch into SQLite (upsert, user-list matching, full-text upkeep) and its counts
- report.py: ImportReport and the rejects CSV
- workflow.py: the "Import" workflow around import_file (progress, cancel, saved report)

The parsers themselves live in sources/ (no SQL there); the SQL in storage/source_records_store.py.
This package imports nothing so that a parser process starts light.
"""
