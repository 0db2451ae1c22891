"""Search over the data catalogue: the bigram GIN indexes (see partners/search_sql.py) on each entry's name and
description, so Chinese terms of two characters use an index too. PostgreSQL only; the expressions here and in
the migration are the same text, which is what lets the planner match them."""

DATASET_TEXT = "upper((name)::text || ' ' || description)"
DEMAND_TEXT = "upper((title)::text || ' ' || description)"
# The same expressions with the table named, for queries that join another table with a `name` column; the
# planner compares columns, not their spelling, so these still use the indexes.
DATASET_QUERY_TEXT = 'upper(("partners_dataset"."name")::text || \' \' || "partners_dataset"."description")'
DEMAND_QUERY_TEXT = 'upper(("partners_datademand"."title")::text || \' \' || "partners_datademand"."description")'

INDEXES = f"""
CREATE INDEX IF NOT EXISTS dataset_text_bigrams ON partners_dataset USING gin (partners_bigrams({DATASET_TEXT}));
CREATE INDEX IF NOT EXISTS demand_text_bigrams ON partners_datademand USING gin (partners_bigrams({DEMAND_TEXT}));
"""

DROP = """
DROP INDEX IF EXISTS dataset_text_bigrams;
DROP INDEX IF EXISTS demand_text_bigrams;
"""
