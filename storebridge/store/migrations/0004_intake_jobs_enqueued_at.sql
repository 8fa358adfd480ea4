-- 0004_intake_jobs_enqueued_at: the daemon's sweeper reads and prunes intake_jobs by enqueued_at.
--
-- Every SWEEPER_INTERVAL_S (30 s) the sweeper looks for intake jobs confirmed between
-- SWEEPER_LOOKBACK_S and SWEEPER_STALE_AFTER_S ago whose item never got a product row (a range on
-- enqueued_at, oldest first: ProductStore.list_rowless_jobs), and deletes the jobs older than
-- SWEEPER_LOOKBACK_S (IntakeJobs.prune_intake_jobs). Without this index both read the whole table.
-- NULLs (jobs recorded but never confirmed) are in the index too: the pruning finds them through
-- `enqueued_at IS NULL`.
--
-- A plain CREATE INDEX (migrations run in a transaction, so not CONCURRENTLY): writes to
-- intake_jobs wait while it builds, seconds for a few million rows; the intake retries meanwhile.

CREATE INDEX intake_jobs_enqueued_at_idx ON intake_jobs (enqueued_at);
