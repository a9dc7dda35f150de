// @generated in the shape of `diesel print-schema` from migrations/postgres; keep it in step
// with migrations/source (tests/api/schema_parity.rs compares it with both migrated databases).

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
    exchange_rates (currency, month) {
        currency -> Text,
        month -> Text,
        month_index -> Integer,
        usd_per_unit_e10 -> BigInt,
        source -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    follow_ups (id) {
        id -> BigInt,
        project_id -> BigInt,
        title -> Nullable<Text>,
        source_name -> Nullable<Text>,
        source_type -> Text,
        amount_minor -> Nullable<BigInt>,
        currency -> Nullable<Text>,
        amount_is_lower_bound -> Bool,
        status -> Text,
        date_text -> Nullable<Text>,
        date_start -> Nullable<Date>,
        value_month_index -> Nullable<Integer>,
        in_kind -> Bool,
        dimensions -> Text,
        description -> Nullable<Text>,
        evidence_url -> Nullable<Text>,
        follow_up_project_code -> Nullable<Text>,
        amount_usd_cents -> Nullable<BigInt>,
        usd_rate_e10 -> Nullable<BigInt>,
        usd_conversion -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> BigInt,
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
    project_gcm_objectives (project_id, objective) {
        project_id -> BigInt,
        objective -> Integer,
    }
}

diesel::table! {
    project_links (id) {
        id -> BigInt,
        project_id -> BigInt,
        link_type -> Text,
        target_code -> Nullable<Text>,
        target_title -> Nullable<Text>,
        note -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    project_member_states (project_id, iso3) {
        project_id -> BigInt,
        iso3 -> Text,
        share_ppm -> Nullable<Integer>,
        endorsed -> Bool,
        position -> Integer,
    }
}

diesel::table! {
    project_migof (project_id, element_code) {
        project_id -> BigInt,
        element_code -> Text,
    }
}

diesel::table! {
    project_msd (project_id, outcome, deliverable) {
        project_id -> BigInt,
        outcome -> Integer,
        deliverable -> Integer,
    }
}

diesel::table! {
    project_sdg_targets (project_id, target_code) {
        project_id -> BigInt,
        target_code -> Text,
    }
}

diesel::table! {
    project_terms (project_id, taxonomy, code) {
        project_id -> BigInt,
        taxonomy -> Text,
        code -> Text,
    }
}

diesel::table! {
    projects (id) {
        id -> BigInt,
        code -> Text,
        title -> Text,
        title_lower -> Text,
        summary -> Nullable<Text>,
        status -> Text,
        funding_line -> Text,
        funding_year -> Integer,
        scope -> Text,
        budget_usd_cents -> BigInt,
        staff_office_share_ppm -> Nullable<Integer>,
        exceptional_increase -> Bool,
        thematic_area -> Nullable<Text>,
        management_city -> Nullable<Text>,
        management_country -> Nullable<Text>,
        beneficiaries -> Nullable<Text>,
        duration_months -> Nullable<Integer>,
        start_date -> Nullable<Date>,
        end_date -> Nullable<Date>,
        actual_end_date -> Nullable<Date>,
        core_national_ownership -> Nullable<Text>,
        core_evidence_and_learning -> Nullable<Text>,
        core_scalability -> Nullable<Text>,
        core_innovation -> Nullable<Text>,
        core_sustainability -> Nullable<Text>,
        notable_achievements -> Text,
        rule_warnings -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> BigInt,
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

diesel::table! {
    evaluations (id) {
        id -> BigInt,
        project_id -> BigInt,
        follow_up_id -> Nullable<BigInt>,
        kind -> Text,
        status -> Text,
        title -> Text,
        evaluator_type -> Nullable<Text>,
        commissioner -> Nullable<Text>,
        period_from -> Nullable<Text>,
        period_to -> Nullable<Text>,
        started_on -> Nullable<Text>,
        completed_on -> Nullable<Text>,
        completed_on_start -> Nullable<Date>,
        report_url -> Nullable<Text>,
        methods -> Text,
        limitations -> Nullable<Text>,
        summary -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> BigInt,
    }
}

diesel::table! {
    evaluation_evaluators (evaluation_id, position) {
        evaluation_id -> BigInt,
        position -> Integer,
        name -> Text,
        role -> Nullable<Text>,
    }
}

diesel::table! {
    evaluation_criteria (evaluation_id, criterion) {
        evaluation_id -> BigInt,
        criterion -> Text,
        rating -> Nullable<Text>,
        finding -> Nullable<Text>,
    }
}

diesel::table! {
    evaluation_questions (id) {
        id -> BigInt,
        evaluation_id -> BigInt,
        label -> Text,
        position -> Integer,
        criterion -> Nullable<Text>,
        sub_criterion -> Nullable<Text>,
        text -> Text,
        finding -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> BigInt,
    }
}

diesel::table! {
    recommendations (id) {
        id -> BigInt,
        evaluation_id -> BigInt,
        label -> Text,
        position -> Integer,
        text -> Text,
        category -> Text,
        priority -> Nullable<Text>,
        due_date -> Nullable<Date>,
        response_decision -> Nullable<Text>,
        response_text -> Nullable<Text>,
        responded_on -> Nullable<Date>,
        responded_by -> Nullable<Text>,
        status -> Text,
        status_note -> Nullable<Text>,
        issued_on -> Date,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> BigInt,
    }
}

diesel::table! {
    recommendation_addressees (recommendation_id, position) {
        recommendation_id -> BigInt,
        position -> Integer,
        name -> Text,
    }
}

diesel::table! {
    recommendation_status_changes (id) {
        id -> BigInt,
        recommendation_id -> BigInt,
        from_status -> Nullable<Text>,
        to_status -> Text,
        note -> Nullable<Text>,
        changed_at -> Timestamp,
        changed_by -> Text,
        changed_by_role -> Text,
    }
}

diesel::table! {
    results (id) {
        id -> BigInt,
        project_id -> BigInt,
        parent_id -> Nullable<BigInt>,
        level -> Text,
        label -> Nullable<Text>,
        statement -> Text,
        position -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> BigInt,
    }
}

diesel::table! {
    indicators (id) {
        id -> BigInt,
        result_id -> BigInt,
        label -> Nullable<Text>,
        name -> Text,
        unit -> Nullable<Text>,
        baseline_micros -> Nullable<BigInt>,
        baseline_date -> Nullable<Date>,
        target_micros -> Nullable<BigInt>,
        target_date -> Nullable<Date>,
        means_of_verification -> Nullable<Text>,
        assumptions -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> BigInt,
    }
}

diesel::table! {
    measurements (id) {
        id -> BigInt,
        indicator_id -> BigInt,
        measured_on -> Date,
        period_from -> Nullable<Date>,
        period_to -> Nullable<Date>,
        value_micros -> BigInt,
        verification -> Text,
        source -> Nullable<Text>,
        note -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> BigInt,
    }
}

diesel::table! {
    publications (id) {
        id -> BigInt,
        kind -> Text,
        title -> Text,
        title_lower -> Text,
        year -> Integer,
        url -> Nullable<Text>,
        isbn -> Nullable<Text>,
        copies_distributed -> Nullable<Integer>,
        updates_id -> Nullable<BigInt>,
        note -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> BigInt,
    }
}

diesel::table! {
    publication_languages (publication_id, language) {
        publication_id -> BigInt,
        language -> Text,
    }
}

diesel::table! {
    publication_member_states (publication_id, iso3) {
        publication_id -> BigInt,
        iso3 -> Text,
    }
}

diesel::table! {
    publication_projects (publication_id, project_id) {
        publication_id -> BigInt,
        project_id -> BigInt,
    }
}

diesel::table! {
    changes (id) {
        id -> BigInt,
        occurred_at -> Timestamp,
        record_type -> Text,
        record_key -> Text,
        action -> Text,
        etag -> Nullable<Text>,
    }
}

diesel::table! {
    webhooks (id) {
        id -> BigInt,
        url -> Text,
        events -> Text,
        secret -> Text,
        active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> BigInt,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> BigInt,
        webhook_id -> BigInt,
        event -> Text,
        payload -> Text,
        change_id -> BigInt,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        locked_until -> Nullable<Timestamp>,
        last_status_code -> Nullable<Integer>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        delivered_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    webhook_attempts (id) {
        id -> BigInt,
        delivery_id -> BigInt,
        attempted_at -> Timestamp,
        status_code -> Nullable<Integer>,
        duration_ms -> BigInt,
        error -> Nullable<Text>,
    }
}

diesel::joinable!(eligibility -> member_states (iso3));
diesel::joinable!(follow_ups -> projects (project_id));
diesel::joinable!(member_states -> regions (region));
diesel::joinable!(msd_deliverables -> msd_outcomes (outcome));
diesel::joinable!(sdg_indicators -> sdg_targets (target_code));
diesel::joinable!(project_gcm_objectives -> projects (project_id));
diesel::joinable!(project_links -> projects (project_id));
diesel::joinable!(project_member_states -> member_states (iso3));
diesel::joinable!(project_member_states -> projects (project_id));
diesel::joinable!(project_migof -> projects (project_id));
diesel::joinable!(project_migof -> migof_elements (element_code));
diesel::joinable!(project_msd -> projects (project_id));
diesel::joinable!(project_sdg_targets -> projects (project_id));
diesel::joinable!(project_sdg_targets -> sdg_targets (target_code));
diesel::joinable!(project_terms -> projects (project_id));
diesel::joinable!(sdg_targets -> sdg_goals (goal));

diesel::joinable!(evaluations -> projects (project_id));
diesel::joinable!(evaluations -> follow_ups (follow_up_id));
diesel::joinable!(evaluation_evaluators -> evaluations (evaluation_id));
diesel::joinable!(evaluation_criteria -> evaluations (evaluation_id));
diesel::joinable!(evaluation_questions -> evaluations (evaluation_id));
diesel::joinable!(recommendations -> evaluations (evaluation_id));
diesel::joinable!(recommendation_addressees -> recommendations (recommendation_id));
diesel::joinable!(recommendation_status_changes -> recommendations (recommendation_id));
diesel::joinable!(results -> projects (project_id));
diesel::joinable!(indicators -> results (result_id));
diesel::joinable!(measurements -> indicators (indicator_id));
diesel::joinable!(publication_languages -> publications (publication_id));
diesel::joinable!(publication_member_states -> publications (publication_id));
diesel::joinable!(publication_member_states -> member_states (iso3));
diesel::joinable!(publication_projects -> publications (publication_id));
diesel::joinable!(publication_projects -> projects (project_id));

diesel::joinable!(webhook_deliveries -> webhooks (webhook_id));
diesel::joinable!(webhook_attempts -> webhook_deliveries (delivery_id));

diesel::allow_tables_to_appear_in_same_query!(
    allocations,
    audit_events,
    eligibility,
    evaluation_criteria,
    evaluation_evaluators,
    evaluation_questions,
    evaluations,
    exchange_rates,
    follow_ups,
    funding_rules,
    gcm_objectives,
    indicators,
    measurements,
    member_states,
    migof_elements,
    msd_deliverables,
    msd_outcomes,
    project_gcm_objectives,
    project_links,
    project_member_states,
    project_migof,
    project_msd,
    project_sdg_targets,
    project_terms,
    projects,
    publication_languages,
    publication_member_states,
    publication_projects,
    publications,
    recommendation_addressees,
    recommendation_status_changes,
    recommendations,
    regions,
    results,
    sdg_goals,
    sdg_indicators,
    sdg_targets,
    taxonomy_terms,
    users,
    webhooks,
    webhook_deliveries,
    webhook_attempts,
    changes,
);
