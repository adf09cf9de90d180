"""Text utilities shared by the engines and the QC gates: tokens, normalisation, script detection (textutil) and
banned-term matching (term_match). Pure functions of strings: no spec, no store."""
