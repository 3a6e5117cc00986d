"""Writing one table's bytes (foundation layer): CSV and Parquet column by column
(:mod:`.tables`), workbooks row by row in constant memory (:mod:`.workbook`). Writing a
whole output set (temporary folder, manifest, replacing files) is :mod:`evaluator.output`'s."""
