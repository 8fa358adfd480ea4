-- Reference data fetched from Naver and Domeggook (storebridge/store/reference_data.py).
--
-- Everything here is a cache of what the APIs answered, never invented: the category trees that
-- `storebridge categories propose` matches, and the per-leaf gates, notice types, origin-area codes
-- and restricted tags the pipeline consults before it spends an image upload or a create. Each row
-- records when it was fetched; readers treat rows older than NAVER_REFERENCE_TTL_S as missing.

-- -- Naver category tree (GET /v1/categories) ------------------------------------------------------
CREATE TABLE naver_categories (
    id          text        PRIMARY KEY CHECK (id ~ '^[0-9]{1,20}$'),
    name        text        NOT NULL,
    whole_name  text        NOT NULL,  -- '>'-separated path, as Naver sends wholeCategoryName
    last        boolean     NOT NULL,  -- a leaf: the only kind a product may use
    fetched_at  timestamptz NOT NULL DEFAULT now()
);

-- -- Domeggook category tree (getCategoryList 1.0) --------------------------------------------------
CREATE TABLE domeggook_categories (
    code        text        PRIMARY KEY CHECK (code ~ '^[0-9]{2}(_[0-9]{2}){4}$'),
    name        text        NOT NULL,
    whole_name  text        NOT NULL,  -- '>'-separated path built from the parents' names
    depth       integer     NOT NULL CHECK (depth >= 1),
    parent_code text,
    last        boolean     NOT NULL,  -- no children in the fetched tree
    fetched_at  timestamptz NOT NULL DEFAULT now()
);

-- -- Per-leaf details (GET /v1/categories/{id}) -----------------------------------------------------
CREATE TABLE naver_category_details (
    category_id            text        PRIMARY KEY CHECK (category_id ~ '^[0-9]{1,20}$'),
    whole_name             text        NOT NULL DEFAULT '',
    last                   boolean     NOT NULL DEFAULT true,
    exceptional_categories text[]      NOT NULL DEFAULT '{}',  -- KC_CERTIFICATION, GREEN_PRODUCTS …
    certification_infos    jsonb       NOT NULL DEFAULT '[]'::jsonb,
    fetched_at             timestamptz NOT NULL DEFAULT now()
);

-- -- Notice types per (top-level) category (GET /v1/products-for-provided-notice?categoryId=) ------
CREATE TABLE naver_notice_types (
    category_id text        PRIMARY KEY,  -- '' = the answer without categoryId (every type)
    types       text[]      NOT NULL,
    body        jsonb       NOT NULL,     -- the whole answer (field lists per type)
    fetched_at  timestamptz NOT NULL DEFAULT now()
);

-- -- Origin-area codes (GET /v1/product-origin-areas) -----------------------------------------------
CREATE TABLE naver_origin_areas (
    code        text        PRIMARY KEY CHECK (code ~ '^[0-9]{2,10}$'),
    name        text        NOT NULL,
    fetched_at  timestamptz NOT NULL DEFAULT now()
);

-- -- Seller tags Naver was asked about (GET /v2/tags/restricted-tags) -------------------------------
CREATE TABLE naver_tag_checks (
    tag         text        PRIMARY KEY CHECK (length(tag) > 0),
    restricted  boolean     NOT NULL,
    checked_at  timestamptz NOT NULL DEFAULT now()
);
