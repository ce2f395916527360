-- Outside-In data model. One file defines every table; perf.store runs it when building a database.
-- Geography: council > locality > ward, and one 'area' row ('ALL') for figures that cover everything.
CREATE TABLE meta (
    key VARCHAR PRIMARY KEY,
    value VARCHAR
);
CREATE TABLE council (
    council_id VARCHAR PRIMARY KEY,   -- ONS code, e.g. E07000234
    name VARCHAR NOT NULL,
    short_name VARCHAR NOT NULL,
    population INTEGER,               -- Census 2021 usual residents
    households INTEGER,
    source VARCHAR
);
CREATE TABLE locality (
    locality_id VARCHAR PRIMARY KEY,
    name VARCHAR NOT NULL,
    kind VARCHAR NOT NULL CHECK (kind IN ('area', 'council', 'locality', 'ward')),
    parent_id VARCHAR,                -- ward -> locality -> council -> area
    council_id VARCHAR,
    code VARCHAR,                     -- ONS GSS code where known
    vintage INTEGER,                  -- year the boundaries took effect
    councillors INTEGER,
    grid_x INTEGER,                   -- tile-map position (wards only)
    grid_y INTEGER
);
CREATE TABLE purpose (
    purpose_id VARCHAR PRIMARY KEY,
    name VARCHAR NOT NULL,
    kind VARCHAR NOT NULL CHECK (kind IN ('strategic', 'operational')),
    parent_id VARCHAR,                -- operational -> strategic
    portfolio VARCHAR,                -- the Portfolio Holder's portfolio
    service VARCHAR,
    team VARCHAR,
    description VARCHAR,
    sort_order INTEGER
);
CREATE TABLE measure (
    measure_id VARCHAR PRIMARY KEY,
    name VARCHAR NOT NULL,
    purpose_id VARCHAR NOT NULL,
    kind VARCHAR NOT NULL CHECK (kind IN ('strategic', 'operational')),
    unit VARCHAR NOT NULL,            -- 'contacts', 'days', '%', '£', ...
    frequency VARCHAR NOT NULL CHECK (frequency IN ('week', 'month', 'quarter')),
    improvement VARCHAR NOT NULL CHECK (improvement IN ('up', 'down', 'neutral')),
    aggregation VARCHAR NOT NULL DEFAULT 'sum' CHECK (aggregation IN ('sum', 'mean', 'ratio')),
    target DOUBLE,
    owner VARCHAR,
    definition VARCHAR,
    source VARCHAR,
    by_locality BOOLEAN NOT NULL DEFAULT FALSE,
    dq_relevant VARCHAR,
    dq_well_defined VARCHAR,
    dq_timely VARCHAR,
    dq_reliable VARCHAR,
    dq_verifiable VARCHAR,
    dq_accurate VARCHAR,
    published BOOLEAN NOT NULL DEFAULT TRUE,
    decimals INTEGER NOT NULL DEFAULT 0,
    is_real BOOLEAN NOT NULL DEFAULT TRUE,    -- FALSE only for the illustrative sample's made-up figures
    source_id VARCHAR                 -- the source row to attribute wherever its figures appear
);
CREATE TABLE measurement (
    measure_id VARCHAR NOT NULL,
    period_start DATE NOT NULL,       -- Monday of the week, 1st of the month or quarter
    locality_id VARCHAR NOT NULL DEFAULT 'ALL',
    value DOUBLE,
    numerator DOUBLE,
    denominator DOUBLE,
    entered_by VARCHAR,
    entered_at TIMESTAMP,
    PRIMARY KEY (measure_id, period_start, locality_id)
);
CREATE TABLE phase (
    measure_id VARCHAR NOT NULL,
    starts_on DATE NOT NULL,
    label VARCHAR NOT NULL,
    description VARCHAR,
    PRIMARY KEY (measure_id, starts_on)
);
CREATE SEQUENCE commentary_seq;
CREATE TABLE commentary (
    commentary_id BIGINT PRIMARY KEY DEFAULT nextval('commentary_seq'),
    measure_id VARCHAR NOT NULL,
    period_start DATE,
    author VARCHAR NOT NULL,
    written_at TIMESTAMP NOT NULL,
    body VARCHAR NOT NULL,
    visibility VARCHAR NOT NULL CHECK (visibility IN ('internal', 'public'))
);
CREATE TABLE service (
    service_id VARCHAR PRIMARY KEY,
    name VARCHAR NOT NULL,
    purpose_id VARCHAR,
    handling_minutes DOUBLE,          -- average officer time per contact, for the cost of failure demand
    cost_per_hour DOUBLE              -- fully loaded cost of that time, in pounds
);
-- Case-level tables: no index, so loads of millions of rows stay fast; aggregation runs in SQL.
CREATE TABLE demand (
    demand_id BIGINT NOT NULL,
    service_id VARCHAR NOT NULL,
    locality_id VARCHAR NOT NULL,     -- the ward the customer lives in
    channel VARCHAR NOT NULL,         -- phone, web, email, face-to-face, ...
    received_at TIMESTAMP NOT NULL,
    demand_type VARCHAR NOT NULL CHECK (demand_type IN ('value', 'failure')),
    nature VARCHAR NOT NULL,          -- what the customer asked for, in their words grouped
    case_id BIGINT                    -- the piece of work this contact belongs to
);
CREATE TABLE work_case (
    case_id BIGINT NOT NULL,
    service_id VARCHAR NOT NULL,
    locality_id VARCHAR NOT NULL,
    channel VARCHAR,
    nature VARCHAR,
    started_at TIMESTAMP NOT NULL,    -- the customer's first contact
    completed_at TIMESTAMP            -- NULL while the work is open
);
CREATE TABLE demographic (
    locality_id VARCHAR NOT NULL,
    year INTEGER NOT NULL,
    indicator VARCHAR NOT NULL,       -- population_0_15, ..., households, imd_decile
    value DOUBLE,
    source VARCHAR,
    PRIMARY KEY (locality_id, year, indicator)
);
CREATE TABLE bank_holiday (
    holiday DATE PRIMARY KEY,
    name VARCHAR NOT NULL
);
CREATE SEQUENCE change_seq;
CREATE TABLE change_log (
    change_id BIGINT PRIMARY KEY DEFAULT nextval('change_seq'),
    table_name VARCHAR NOT NULL,
    row_key VARCHAR NOT NULL,
    column_name VARCHAR,
    old_value VARCHAR,
    new_value VARCHAR,
    changed_by VARCHAR,
    changed_at TIMESTAMP NOT NULL
);
CREATE TABLE review (
    review_id BIGINT PRIMARY KEY DEFAULT nextval('change_seq'),
    measure_id VARCHAR NOT NULL,
    change_date DATE NOT NULL,
    decision VARCHAR,
    actions VARCHAR,
    reviewed_by VARCHAR,
    reviewed_at TIMESTAMP NOT NULL
);
CREATE TABLE app_user (
    username VARCHAR PRIMARY KEY,
    display_name VARCHAR,
    role VARCHAR NOT NULL CHECK (role IN ('officer', 'admin')),
    password_hash VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL,
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    locked_until TIMESTAMP
);
-- Who owns a measure, and where their signal digest goes. `owner` is exactly as measure.owner names
-- them; `username` is their app_user (or, with single sign-on, their email is their username).
CREATE TABLE owner (
    owner VARCHAR PRIMARY KEY,
    email VARCHAR,
    username VARCHAR
);
-- A signal found when data arrived (issue 15): one row per measure, locality, rule and run of
-- flagged periods. Nothing is deleted: an item is closed with who, when and why.
CREATE SEQUENCE signal_seq;
CREATE TABLE signal_item (
    signal_id BIGINT PRIMARY KEY DEFAULT nextval('signal_seq'),
    measure_id VARCHAR NOT NULL,
    locality_id VARCHAR NOT NULL,     -- 'ALL' for the whole area, else the ward it was recorded for
    rule VARCHAR NOT NULL,            -- the rules that fired in the run, comma-separated (perf.spc.RULES)
    first_period DATE NOT NULL,       -- the periods the flagged run covers
    last_period DATE NOT NULL,
    direction VARCHAR NOT NULL CHECK (direction IN ('improving', 'concerning', 'neutral')),
    side VARCHAR NOT NULL CHECK (side IN ('high', 'low')),
    found_at TIMESTAMP NOT NULL,
    found_by VARCHAR NOT NULL,        -- who loaded the data that showed it
    status VARCHAR NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    closed_at TIMESTAMP,
    closed_by VARCHAR,
    closed_reason VARCHAR,            -- 'answered', or why the signal went (a corrected value)
    notified_at TIMESTAMP             -- when its owner's digest went out
);
-- The owner's (or an officer's) answer to a signal: cause, what is being done, and the outcome.
CREATE TABLE signal_answer (
    answer_id BIGINT PRIMARY KEY DEFAULT nextval('signal_seq'),
    signal_id BIGINT NOT NULL,
    cause_known BOOLEAN NOT NULL,
    cause VARCHAR NOT NULL,
    action VARCHAR,
    outcome VARCHAR NOT NULL CHECK (outcome IN ('system_change', 'one_off', 'no_action')),
    exclude_from_limits BOOLEAN NOT NULL DEFAULT FALSE,   -- a one-off left out of the limits
    phase_starts_on DATE,             -- a system change: the new phase it confirmed
    answered_by VARCHAR NOT NULL,
    answered_at TIMESTAMP NOT NULL
);
-- Commentary written on a signal item: tied to it, shown beside its points on the Measure page.
CREATE TABLE signal_note (
    note_id BIGINT PRIMARY KEY DEFAULT nextval('signal_seq'),
    signal_id BIGINT NOT NULL,
    body VARCHAR NOT NULL,
    author VARCHAR NOT NULL,
    written_at TIMESTAMP NOT NULL
);
-- A published snapshot's copy of the periods one-off answers left out of the limits (perf.output.publish):
-- the spans only, never the cause, the action or who answered. Empty in the council's own database,
-- whose answers (signal_answer) say the same; the public app and the static site read it from a snapshot.
CREATE TABLE excluded_period (
    measure_id VARCHAR NOT NULL,
    locality_id VARCHAR NOT NULL,     -- 'ALL' for the whole area, else the ward
    first_period DATE NOT NULL,
    last_period DATE NOT NULL
);
-- Every digest sent or tried: the failures are shown on the Signals page.
CREATE TABLE alert_log (
    alert_id BIGINT PRIMARY KEY DEFAULT nextval('signal_seq'),
    owner VARCHAR NOT NULL,
    email VARCHAR,
    signal_ids VARCHAR NOT NULL,      -- comma-separated signal_item ids in the digest
    outcome VARCHAR NOT NULL CHECK (outcome IN ('sent', 'failed', 'no_address', 'not_configured')),
    detail VARCHAR,
    tried_at TIMESTAMP NOT NULL
);
-- Real data: where each set of real figures comes from, with the words to show wherever they appear.
CREATE TABLE source (
    source_id VARCHAR PRIMARY KEY,
    name VARCHAR NOT NULL,            -- e.g. 'mySociety / FixMyStreet'
    licence VARCHAR NOT NULL,         -- e.g. 'ODC-By 1.0'
    attribution VARCHAR NOT NULL,     -- the sentence shown beside the figures, in exports and in packs
    url VARCHAR,
    note VARCHAR
);
-- Published statistics for every UK council (Similar councils). Codes are ONS GSS codes of today's
-- councils; abolished ones stay, marked, where their series could not move to a successor.
CREATE TABLE area (
    area_code VARCHAR PRIMARY KEY,
    name VARCHAR NOT NULL,
    tier VARCHAR NOT NULL,            -- district, single tier, Welsh, Scottish, Northern Irish
    current BOOLEAN NOT NULL DEFAULT TRUE
);
CREATE TABLE area_population (
    area_code VARCHAR NOT NULL,
    year INTEGER NOT NULL,            -- Census years only; other years are interpolated (perf.published)
    population DOUBLE NOT NULL,
    source_id VARCHAR,
    PRIMARY KEY (area_code, year)
);
CREATE TABLE area_neighbour (
    area_code VARCHAR NOT NULL,
    basis VARCHAR NOT NULL,           -- global, economic, demographic (ONS similar areas)
    rank INTEGER NOT NULL,
    neighbour_code VARCHAR NOT NULL,
    PRIMARY KEY (area_code, basis, rank)
);
CREATE TABLE published_metric (
    metric_id VARCHAR PRIMARY KEY,
    name VARCHAR NOT NULL,
    unit VARCHAR NOT NULL,
    frequency VARCHAR NOT NULL CHECK (frequency IN ('month', 'year')),
    additive BOOLEAN NOT NULL,        -- a count: a successor's figure is the sum of its predecessors'
    missing_is_zero BOOLEAN NOT NULL DEFAULT FALSE,  -- a period with no row is a zero (FixMyStreet)
    per_1000 BOOLEAN NOT NULL DEFAULT FALSE,         -- compared per 1,000 residents
    decimals INTEGER NOT NULL DEFAULT 1,
    definition VARCHAR,
    source_id VARCHAR
);
-- No key: 600,000 rows load in a second without an index; the loader refuses duplicates itself.
CREATE TABLE published_value (
    metric_id VARCHAR NOT NULL,
    area_code VARCHAR NOT NULL,
    period_start DATE NOT NULL,
    value DOUBLE NOT NULL
);
CREATE TABLE published_note (
    metric_id VARCHAR NOT NULL,
    area_code VARCHAR NOT NULL,
    note VARCHAR NOT NULL,
    PRIMARY KEY (metric_id, area_code)
);
