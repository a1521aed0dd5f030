-- 0140's byte-order indexes served the inventory apply's ordered pass over every catalog number, which it no longer
-- makes (InventoryApply, `hits`: only the numbers of the upload's rows). Nothing else reads them, and every catalog
-- import and AFT- migration paid for their upkeep.
DROP INDEX IF EXISTS parts_number_norm_c;
DROP INDEX IF EXISTS aftermarket_parts_number_norm_c;
