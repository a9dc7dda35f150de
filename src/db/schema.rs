// @generated in the shape of `diesel print-schema` from migrations/postgres; keep both trees
// and this file in step (tests/api/schema_parity.rs compares the trees with each other).

diesel::table! {
    allocations (year, funding_line) {
        year -> Integer,
        funding_line -> Text,
        envelope_usd_cents -> BigInt,
        note -> Nullable<Text>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    audit_events (id) {
        id -> BigInt,
        occurred_at -> Timestamp,
        subject -> Text,
        role -> Text,
        action -> Text,
        record_type -> Text,
        record_key -> Text,
        changes -> Text,
        request_id -> Nullable<Text>,
    }
}

diesel::table! {
    eligibility (iso3, year) {
        iso3 -> Text,
        year -> Integer,
        income_group -> Text,
        line_1_eligible -> Bool,
        line_2_eligible -> Bool,
        note -> Nullable<Text>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    funding_rules (id) {
        id -> BigInt,
        effective_year -> Integer,
        funding_line -> Text,
        scope -> Text,
        cap_usd_cents -> BigInt,
        exceptional_cap_usd_cents -> Nullable<BigInt>,
        staff_office_max_share_ppm -> Integer,
        min_endorsing_states -> Integer,
        note -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    gcm_objectives (number) {
        number -> Integer,
        title -> Text,
    }
}

diesel::table! {
    member_states (iso3) {
        iso3 -> Text,
        name -> Text,
        region -> Text,
        iom_member -> Bool,
        member_since -> Nullable<Integer>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> BigInt,
    }
}

diesel::table! {
    migof_elements (code) {
        code -> Text,
        kind -> Text,
        text -> Text,
        short_text -> Text,
        position -> Integer,
    }
}

diesel::table! {
    msd_deliverables (outcome, number) {
        outcome -> Integer,
        number -> Integer,
        title -> Nullable<Text>,
    }
}

diesel::table! {
    msd_outcomes (number) {
        number -> Integer,
        title -> Nullable<Text>,
    }
}

diesel::table! {
    regions (code) {
        code -> Text,
        name -> Text,
        seat -> Text,
    }
}

diesel::table! {
    sdg_goals (number) {
        number -> Integer,
        title -> Text,
        short_title -> Text,
    }
}

diesel::table! {
    sdg_indicators (code) {
        code -> Text,
        target_code -> Text,
        title -> Text,
        framework_version -> Text,
        position -> Integer,
    }
}

diesel::table! {
    sdg_targets (code) {
        code -> Text,
        goal -> Integer,
        title -> Text,
        position -> Integer,
    }
}

diesel::table! {
    taxonomy_terms (taxonomy, code) {
        taxonomy -> Text,
        code -> Text,
        label -> Text,
        description -> Nullable<Text>,
        position -> Integer,
    }
}

diesel::table! {
    users (username) {
        username -> Text,
        kind -> Text,
        role -> Text,
        member_states -> Nullable<Text>,
        password_hash -> Text,
        disabled -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> BigInt,
    }
}

diesel::joinable!(eligibility -> member_states (iso3));
diesel::joinable!(member_states -> regions (region));
diesel::joinable!(msd_deliverables -> msd_outcomes (outcome));
diesel::joinable!(sdg_indicators -> sdg_targets (target_code));
diesel::joinable!(sdg_targets -> sdg_goals (goal));

diesel::allow_tables_to_appear_in_same_query!(
    allocations,
    audit_events,
    eligibility,
    funding_rules,
    gcm_objectives,
    member_states,
    migof_elements,
    msd_deliverables,
    msd_outcomes,
    regions,
    sdg_goals,
    sdg_indicators,
    sdg_targets,
    taxonomy_terms,
    users,
);
