"""Writing one table's bytes (foundation layer): CSV and Parquet column by column
(:mod:`.tables`), workbooks row by row in constant memory (:mod:`.workbook`). Writing a
whole output set (temporary folder, manifest, replacing files) is :mod:`evaluator.output`'s.
Reading: :mod:`.infile` opens an input file only when it is a regular file within its
size limit (never a device, a pipe or a socket)."""
