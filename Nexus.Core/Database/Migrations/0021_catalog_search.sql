-- Catalog search on the full data set (1.36M parts), measured with EXPLAIN ANALYZE:
-- * Names: the unaccented, lower-case name is stored, so a filter costs a plain LIKE per row instead of an
--   unaccent() call, and the trigram index covers the same column. It replaces parts_name_trgm.
-- * Part numbers: prefix indexes that carry the part id, so a broad prefix ('098') is an index-only scan.
--   parts_number_prefix replaces parts_number_norm (text_pattern_ops serves equality too).
-- * Vehicle browse compares make and model case-insensitively.
ALTER TABLE parts ADD COLUMN name_search text GENERATED ALWAYS AS (search_text(name_part)) STORED;
DROP INDEX parts_name_trgm;
CREATE INDEX parts_name_search_trgm ON parts USING gin (name_search gin_trgm_ops);

DROP INDEX parts_number_norm;
CREATE INDEX parts_number_prefix ON parts (oem_part_number_norm text_pattern_ops) INCLUDE (id_part);
CREATE INDEX part_cross_references_number_prefix ON part_cross_references (cross_reference_number_norm text_pattern_ops) INCLUDE (part_id);

CREATE INDEX vehicles_make_model_ci ON vehicles (lower(brand), lower(model), year);

-- '%' and '_' typed by a user are literal characters, not wildcards.
CREATE FUNCTION like_escape(value text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    RETURN replace(replace(replace(value, '\', '\\'), '%', '\%'), '_', '\_');
