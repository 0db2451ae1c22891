"""Search over the data catalogue: the bigram GIN indexes (see partners/search_sql.py) on each entry's name and
description, so Chinese terms of two characters use an index too. PostgreSQL only; the expressions here and in
the migration are the same text, which is what lets the planner match them."""

DATASET_TEXT = "upper((name)::text || ' ' || description)"
DEMAND_TEXT = "upper((title)::text || ' ' || description)"

INDEXES = f"""
CREATE INDEX IF NOT EXISTS dataset_text_bigrams ON partners_dataset USING gin (partners_bigrams({DATASET_TEXT}));
CREATE INDEX IF NOT EXISTS demand_text_bigrams ON partners_datademand USING gin (partners_bigrams({DEMAND_TEXT}));
"""

DROP = """
DROP INDEX IF EXISTS dataset_text_bigrams;
DROP INDEX IF EXISTS demand_text_bigrams;
"""
