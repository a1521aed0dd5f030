-- Scale-out: which worker process (host name/process id/start id, see WorkerIdentity) took each upload and each
-- migration batch, so that an operator can tell the instances or replicas apart.
-- Uploads: the worker of the latest claim (the one that completed it, once completed).
ALTER TABLE inventory_uploads ADD COLUMN processed_by text;
-- Batches: the worker running it, then the one whose transaction closed it.
ALTER TABLE aftermarket_migration_batches ADD COLUMN processed_by text;
