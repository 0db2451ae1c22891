"""Name search that an index serves at any term length from two characters: the name's distinct two-character
pieces (bigrams) in a GIN-indexed array.

pg_trgm needs three characters to use its index, and most Chinese searches are two ("九章", "智算"): with the
trigram index alone they read the whole table. A name contains a term only if its bigrams contain the term's
bigrams, so `partners_bigrams(UPPER(name)) @> partners_bigrams(UPPER(term))` narrows the rows through the index
and the substring test (LIKE) then keeps exactly the names that contain the term. PostgreSQL only.
"""

FUNCTION = """
CREATE OR REPLACE FUNCTION partners_bigrams(t text) RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(DISTINCT substr(t, i, 2)), '{}'::text[]) FROM generate_series(1, length(t) - 1) AS i
$$;
"""

INDEXES = """
CREATE INDEX IF NOT EXISTS organization_name_bigrams ON partners_organization
    USING gin (partners_bigrams(upper(name::text)));
CREATE INDEX IF NOT EXISTS organization_name_en_bigrams ON partners_organization
    USING gin (partners_bigrams(upper(name_en::text)));
"""

DROP = """
DROP INDEX IF EXISTS organization_name_bigrams;
DROP INDEX IF EXISTS organization_name_en_bigrams;
DROP FUNCTION IF EXISTS partners_bigrams(text);
"""
