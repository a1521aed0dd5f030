-- What the bodega's file said for each inventory row: the normalised part number and the brand as written (NULL = none).
-- A re-upload row that repeats them, the location and the values is unchanged without matching the catalog again.
-- NULL source (rows written before this, restored by an AFT- revert, or by hand) just takes the full path once.
-- At most one row of a bodega holds a given source and location; the upload keeps it so (it clears a stale holder).
ALTER TABLE warehouse_inventory
    ADD COLUMN source_part_number_norm text,
    ADD COLUMN source_brand            text;
