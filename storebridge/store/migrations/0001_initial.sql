-- 0001_initial: products and their state machine, event history, image cache, rule tables, intake jobs.
--
-- Applied once, in one transaction, by storebridge.store.migrate (recorded in schema_migrations).
-- The state machine lives in storebridge/states.py; the same table is seeded below and enforced
-- by a trigger so that no writer (buggy code, a hand-typed UPDATE) can make an illegal move.
-- tests/test_store_transitions.py asserts that this seed and states.TRANSITIONS are identical.

-- -- States and transitions -----------------------------------------------------------------------
CREATE TABLE product_states (
    name text PRIMARY KEY
);

INSERT INTO product_states (name) VALUES
    ('PENDING'), ('VALIDATED'), ('UPLOADING'), ('REGISTERING'), ('UNKNOWN'), ('COMPLETED'),
    ('UPDATING'), ('SUSPENDED'), ('RETRYING'), ('MANUAL_REVIEW'), ('FAILED');

CREATE TABLE state_transitions (
    from_state    text    NOT NULL REFERENCES product_states (name),
    to_state      text    NOT NULL REFERENCES product_states (name),
    -- Only a transaction that set `storebridge.operator = on` (StateStore.redrive) may make it.
    operator_only boolean NOT NULL DEFAULT false,
    PRIMARY KEY (from_state, to_state),
    CHECK (from_state <> to_state)
);

INSERT INTO state_transitions (from_state, to_state, operator_only) VALUES
    ('PENDING', 'VALIDATED', false), ('PENDING', 'RETRYING', false),
    ('PENDING', 'MANUAL_REVIEW', false), ('PENDING', 'FAILED', false),
    ('VALIDATED', 'UPLOADING', false), ('VALIDATED', 'RETRYING', false),
    ('VALIDATED', 'MANUAL_REVIEW', false), ('VALIDATED', 'FAILED', false),
    ('UPLOADING', 'REGISTERING', false), ('UPLOADING', 'RETRYING', false),
    ('UPLOADING', 'MANUAL_REVIEW', false), ('UPLOADING', 'FAILED', false),
    ('REGISTERING', 'COMPLETED', false), ('REGISTERING', 'UNKNOWN', false),
    ('REGISTERING', 'RETRYING', false), ('REGISTERING', 'MANUAL_REVIEW', false),
    ('UNKNOWN', 'COMPLETED', false), ('UNKNOWN', 'REGISTERING', false),
    ('UNKNOWN', 'MANUAL_REVIEW', false),
    ('RETRYING', 'UPLOADING', false), ('RETRYING', 'REGISTERING', false),
    ('RETRYING', 'MANUAL_REVIEW', false), ('RETRYING', 'FAILED', false),
    ('COMPLETED', 'UPDATING', false), ('COMPLETED', 'SUSPENDED', false),
    ('UPDATING', 'COMPLETED', false), ('UPDATING', 'SUSPENDED', false),
    ('UPDATING', 'MANUAL_REVIEW', false),
    ('SUSPENDED', 'UPDATING', false), ('SUSPENDED', 'COMPLETED', false),
    ('MANUAL_REVIEW', 'PENDING', true), ('MANUAL_REVIEW', 'UPDATING', true),
    ('MANUAL_REVIEW', 'FAILED', false),
    ('FAILED', 'PENDING', true), ('FAILED', 'UPDATING', true);

-- -- Products ---------------------------------------------------------------------------------------
CREATE TABLE products (
    id                     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    market                 text        NOT NULL CHECK (market ~ '^[a-z0-9_-]{1,32}$'),
    item_no                bigint      NOT NULL CHECK (item_no > 0),
    state                  text        NOT NULL DEFAULT 'PENDING' REFERENCES product_states (name),
    seller_management_code text        NOT NULL UNIQUE CHECK (length(seller_management_code) BETWEEN 1 AND 100),
    origin_product_no      bigint      CHECK (origin_product_no > 0),
    channel_product_no     bigint      CHECK (channel_product_no > 0),
    source_hash            text,       -- content hash of the last synced Domeggook source
    structure_hash         text,       -- hash of the parts only a full PUT can change (options, ...)
    snapshot               jsonb,      -- last synced price/stock as sent to Naver
    attempt_id             uuid,       -- the current create attempt (recorded before the POST)
    retry_count            integer     NOT NULL DEFAULT 0 CHECK (retry_count >= 0),
    next_retry_at          timestamptz,
    last_error_code        text,
    last_error_message     text,
    created_at             timestamptz NOT NULL DEFAULT now(),
    updated_at             timestamptz NOT NULL DEFAULT now(),
    completed_at           timestamptz,  -- first time the product was known to exist on Naver
    UNIQUE (market, item_no),
    CONSTRAINT registered_has_naver_no CHECK (
        state NOT IN ('COMPLETED', 'UPDATING', 'SUSPENDED')
        OR (origin_product_no IS NOT NULL AND completed_at IS NOT NULL)),
    CONSTRAINT unregistered_has_no_naver_no CHECK (
        state NOT IN ('PENDING', 'VALIDATED', 'UPLOADING', 'REGISTERING', 'UNKNOWN', 'RETRYING')
        OR origin_product_no IS NULL),
    CONSTRAINT create_attempt_has_id CHECK (
        state NOT IN ('REGISTERING', 'UNKNOWN') OR attempt_id IS NOT NULL)
);

CREATE INDEX products_state_updated_idx ON products (state, updated_at DESC);
CREATE INDEX products_retry_idx ON products (state, next_retry_at);
CREATE INDEX products_origin_idx ON products (origin_product_no) WHERE origin_product_no IS NOT NULL;

CREATE FUNCTION storebridge_is_operator() RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT coalesce(current_setting('storebridge.operator', true), '') = 'on'
$$;

-- Enforces the state machine and the automatic field rules on every INSERT and UPDATE.
-- SQLSTATE SB001 = illegal transition, SB002 = immutable column changed (mapped in store_types.py).
CREATE FUNCTION products_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.state <> 'PENDING' THEN
            RAISE EXCEPTION 'illegal transition (new) -> %: a product starts PENDING', NEW.state
                USING ERRCODE = 'SB001';
        END IF;
        RETURN NEW;
    END IF;

    IF NEW.id <> OLD.id OR NEW.market <> OLD.market OR NEW.item_no <> OLD.item_no
       OR NEW.seller_management_code <> OLD.seller_management_code OR NEW.created_at <> OLD.created_at THEN
        RAISE EXCEPTION 'products % : identity columns are immutable', OLD.id USING ERRCODE = 'SB002';
    END IF;
    -- A recorded Naver number is the only proof the product exists; losing it means a duplicate.
    IF OLD.origin_product_no IS NOT NULL AND NEW.origin_product_no IS DISTINCT FROM OLD.origin_product_no
       AND NOT storebridge_is_operator() THEN
        RAISE EXCEPTION 'products % : origin_product_no % may only be changed by an operator',
            OLD.id, OLD.origin_product_no USING ERRCODE = 'SB002';
    END IF;

    IF NEW.state IS DISTINCT FROM OLD.state THEN
        IF NOT EXISTS (
            SELECT 1 FROM state_transitions t
            WHERE t.from_state = OLD.state AND t.to_state = NEW.state
              AND (NOT t.operator_only OR storebridge_is_operator())
        ) THEN
            RAISE EXCEPTION 'illegal transition % -> % (product %)', OLD.state, NEW.state, OLD.id
                USING ERRCODE = 'SB001';
        END IF;
        IF NEW.state = 'REGISTERING' AND NEW.attempt_id IS NOT DISTINCT FROM OLD.attempt_id THEN
            RAISE EXCEPTION 'illegal transition % -> REGISTERING (product %): a new attempt_id is required',
                OLD.state, OLD.id USING ERRCODE = 'SB001';
        END IF;
        IF NEW.state = 'RETRYING' THEN
            NEW.retry_count := OLD.retry_count + 1;
        END IF;
        IF NEW.state = 'COMPLETED' THEN
            NEW.retry_count := 0;
        END IF;
    END IF;
    -- completed_at = the first moment the product was known to exist on Naver (never moved later).
    NEW.completed_at := CASE WHEN NEW.origin_product_no IS NULL THEN OLD.completed_at
                             ELSE coalesce(OLD.completed_at, now()) END;
    NEW.updated_at := now();
    RETURN NEW;
END
$$;

CREATE TRIGGER products_guard BEFORE INSERT OR UPDATE ON products
    FOR EACH ROW EXECUTE FUNCTION products_guard();

-- -- Event history (append-only) --------------------------------------------------------------------
CREATE TABLE product_events (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    product_id bigint      NOT NULL REFERENCES products (id),
    from_state text        REFERENCES product_states (name),  -- NULL: the row was created
    to_state   text        REFERENCES product_states (name),  -- NULL: an event without a state change
    code       text        NOT NULL,
    message    text,
    trace_id   text,        -- Naver GNCP-GW-Trace-ID of the call, when there was one
    details    jsonb       NOT NULL DEFAULT '{}'::jsonb,
    at         timestamptz NOT NULL DEFAULT now(),
    CHECK (from_state IS NOT NULL OR to_state IS NOT NULL)
);

CREATE INDEX product_events_product_idx ON product_events (product_id, id);
CREATE INDEX product_events_at_idx ON product_events (at DESC);

CREATE FUNCTION product_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'product_events is append-only (% refused)', TG_OP USING ERRCODE = 'SB002';
END
$$;

CREATE TRIGGER product_events_append_only BEFORE UPDATE OR DELETE ON product_events
    FOR EACH ROW EXECUTE FUNCTION product_events_append_only();
CREATE TRIGGER product_events_no_truncate BEFORE TRUNCATE ON product_events
    FOR EACH STATEMENT EXECUTE FUNCTION product_events_append_only();

-- -- Image cache -----------------------------------------------------------------------------------
CREATE TABLE images (
    sha256     text PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    s3_key     text        NOT NULL,
    naver_url  text,        -- NULL until uploaded to Naver
    width      integer     NOT NULL CHECK (width > 0),
    height     integer     NOT NULL CHECK (height > 0),
    size_bytes bigint      NOT NULL CHECK (size_bytes > 0),
    created_at timestamptz NOT NULL DEFAULT now()
);

-- -- Category map ----------------------------------------------------------------------------------
CREATE TABLE category_map (
    domeggook_code         text PRIMARY KEY CHECK (domeggook_code ~ '^[0-9]{2}(_[0-9]{2}){4}$'),
    naver_leaf_category_id text        NOT NULL CHECK (naver_leaf_category_id ~ '^[0-9]{1,20}$'),
    required_attributes    jsonb       NOT NULL DEFAULT '[]'::jsonb,
    default_attributes     jsonb       NOT NULL DEFAULT '{}'::jsonb,
    confidence             real        NOT NULL DEFAULT 1 CHECK (confidence BETWEEN 0 AND 1),
    source                 text        NOT NULL CHECK (source IN ('manual', 'auto', 'file')),
    is_active              boolean     NOT NULL DEFAULT true,
    usage_count            bigint      NOT NULL DEFAULT 0 CHECK (usage_count >= 0),
    success_count          bigint      NOT NULL DEFAULT 0 CHECK (success_count >= 0),
    version                integer     NOT NULL DEFAULT 1,  -- +1 on every change of the mapping
    created_at             timestamptz NOT NULL DEFAULT now(),
    updated_at             timestamptz NOT NULL DEFAULT now()
);

-- -- Banned words ----------------------------------------------------------------------------------
CREATE TABLE banned_words (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    word        text        NOT NULL CHECK (length(word) > 0),
    is_regex    boolean     NOT NULL DEFAULT false,
    -- block: send to review; replace: rewrite then continue; warn: record only (seed "정품").
    kind        text        NOT NULL CHECK (kind IN ('block', 'replace', 'warn')),
    replacement text,
    category    text        NOT NULL DEFAULT 'prohibited',
    severity    text        NOT NULL DEFAULT 'medium' CHECK (severity IN ('low', 'medium', 'high')),
    source      text        NOT NULL DEFAULT 'manual',
    is_active   boolean     NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (word, is_regex),
    CHECK ((kind = 'replace') = (replacement IS NOT NULL))
);

-- -- Intake jobs (idempotent stream → queue hand-off) ----------------------------------------------
CREATE TABLE intake_jobs (
    job_key    text PRIMARY KEY,  -- e.g. '<stream entry id>:<market>:<item_no>'
    queue      text        NOT NULL,
    reason     text,               -- import / sync / re-sync
    market     text,
    item_no    bigint,
    handoffs   integer     NOT NULL DEFAULT 1,  -- times the job was handed out (redeliveries)
    created_at timestamptz NOT NULL DEFAULT now(),
    claimed_at timestamptz NOT NULL DEFAULT now(),  -- last hand-off; a lease for the confirmation
    -- NULL until the intake loop confirmed the queue accepted the message; a redelivered stream
    -- entry whose job was recorded but never confirmed (crash in between) is handed off again
    -- once the lease expired.
    enqueued_at timestamptz
);
