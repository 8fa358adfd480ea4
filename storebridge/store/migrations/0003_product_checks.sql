-- 0003_product_checks: when each registered product was last checked against Domeggook.
--
-- `storebridge enqueue --registered` re-checks the products StoreBridge manages, stalest first.
-- products.updated_at cannot say "stalest": an unchanged re-sync is an event that leaves the row
-- untouched (on purpose: updated_at means "the row changed"), so a product found unchanged would
-- stay "stale" and be picked on every run while others are never reached. The store records a
-- check here, in the same statement as the event, whenever a write leaves a registered product
-- settled (COMPLETED or SUSPENDED) without asking for a retry (storebridge/store/recheck.py).
-- A table beside products, not a column, so that recording a check never touches the product row.

CREATE TABLE product_checks (
    product_id bigint      PRIMARY KEY REFERENCES products (id),
    checked_at timestamptz NOT NULL
);

CREATE INDEX product_checks_at_idx ON product_checks (checked_at);

-- Existing listings: the best evidence there is, the last change of the row or its last event.
INSERT INTO product_checks (product_id, checked_at)
SELECT p.id, greatest(p.updated_at, (SELECT max(e.at) FROM product_events e WHERE e.product_id = p.id))
FROM products p
WHERE p.state IN ('COMPLETED', 'SUSPENDED');
