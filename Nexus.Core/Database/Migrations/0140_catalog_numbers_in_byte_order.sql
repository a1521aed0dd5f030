-- Every large inventory upload first finds the normalised numbers that two or more catalog parts share (InventoryApply,
-- `shared`). Over the full catalog (1.35M OEM and aftermarket numbers) a hash aggregate built a 1.3M-entry table for it
-- (~1.7 s). With both tables' numbers in one byte order, the two index-only scans merge into one sorted stream in which
-- equal numbers are neighbours (~1.1 s, and no memory). The text_pattern_ops indexes serve prefix searches and give no
-- order the planner can merge.
CREATE INDEX parts_number_norm_c ON parts (oem_part_number_norm COLLATE "C");
CREATE INDEX aftermarket_parts_number_norm_c ON aftermarket_parts (part_number_norm COLLATE "C");
