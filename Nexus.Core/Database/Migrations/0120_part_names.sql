-- Name search without scanning: a catalog repeats a small set of part names ("Filtro de aceite" under every maker;
-- the full data set has 144 names for 1.36M parts, TecDoc-style catalogs some thousands of generic articles).
-- A search matches the pattern against the distinct names, then reads each matching name's parts in id order
-- from parts_name_id and merges them: ~0.25 ms on the full set, where the id-order scan filtering every row
-- by LIKE cost ~1 ms (and planning it another 0.3 ms).
--
-- part_names only grows: the triggers add the names of inserted and renamed parts. A name left without parts
-- (its parts deleted) costs a single empty index probe per search that matches it.
CREATE TABLE part_names (
    name_search text PRIMARY KEY
);
CREATE INDEX part_names_trgm ON part_names USING gin (name_search gin_trgm_ops);

INSERT INTO part_names (name_search)
SELECT DISTINCT name_search FROM parts WHERE name_search IS NOT NULL;

CREATE INDEX parts_name_id ON parts (name_search, id_part) WHERE oem_part_number NOT LIKE 'AFT-%';

-- Statement-level, so a COPY of a million parts adds its names in one INSERT.
CREATE FUNCTION part_names_add() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO part_names (name_search)
    SELECT DISTINCT name_search FROM changed_parts WHERE name_search IS NOT NULL
    ON CONFLICT (name_search) DO NOTHING;
    RETURN NULL;
END $$;

CREATE TRIGGER parts_names_after_insert AFTER INSERT ON parts
    REFERENCING NEW TABLE AS changed_parts
    FOR EACH STATEMENT EXECUTE FUNCTION part_names_add();

CREATE TRIGGER parts_names_after_update AFTER UPDATE ON parts
    REFERENCING NEW TABLE AS changed_parts
    FOR EACH STATEMENT EXECUTE FUNCTION part_names_add();
