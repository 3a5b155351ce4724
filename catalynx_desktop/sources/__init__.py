"""sources layer: streaming parsers of the public formats and format detection (no Qt, no SQL).

Entry points (import them from their modules; this package imports nothing so that a parser
process starts light):
- detect.detect_format(path, claimed=None) -> Format, or FormatError naming the file
- user_list.preview(path, n=20) -> Preview(header, rows, guessed: ColumnMapping); ColumnMapping
- bmf.BmfParser / grantsgov.GrantsGovParser / user_list.UserListParser: iterables of
  SourceRecord | RecordError with bytes_read / bytes_total / records_read for progress

Importing a file into the database (batches, cache, writer) is workflows/importing/.
"""
