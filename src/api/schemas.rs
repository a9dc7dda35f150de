//! Named schemas whose content is written by code rather than derived: the codes that come
//! from reference data (regions, SDG targets, taxonomies, …) and the textual wire formats of
//! [`crate::domain::wire`] (amounts, shares, rates, months, dates).
//!
//! A field names one of these types in `#[schema(value_type = …)]`; the type is only a name
//! there. [`describe`] then writes each: codes as an enumeration of the catalogue's values,
//! formats as their pattern. So the document states exactly what the server accepts. Every
//! database holds the same catalogue (migrations load it), and `devfund openapi` reads it
//! from a freshly migrated in-memory database ([`Catalogue::shipped`]).

use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::{OpenApi as Doc, RefOr};

use crate::domain::country;
use crate::domain::money;
use crate::domain::project::Status;
use crate::domain::wire::patterns;
use crate::models::reference::Catalogue;

macro_rules! code_schemas {
    ($($name:ident),+ $(,)?) => {$(
        #[doc = concat!("The `", stringify!($name), "` schema: an enumeration written by [`describe`].")]
        pub struct $name;

        impl utoipa::PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                ObjectBuilder::new().schema_type(Type::String).into()
            }
        }

        impl utoipa::ToSchema for $name {}
    )+};
}

code_schemas!(
    Iso3Code,
    LanguageCode,
    CurrencyCode,
    RatedCurrencyCode,
    RegionCode,
    SdgGoalNumber,
    SdgTargetCode,
    MigofElementCode,
    GcmObjectiveNumber,
    MsdOutcomeNumber,
    MsdDeliverableNumber,
    TaxonomyName,
    ThematicAreaCode,
    InnovationAreaCode,
    CrossCuttingThemeCode,
    UsdAmount,
    BudgetAmount,
    Amount,
    UsdCurrency,
    InitialStatus,
    ShareText,
    RateText,
    MonthText,
    PartialDateText,
    IndicatorValueText,
);

fn pattern(description: &str, pattern: &str, example: &str) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(description))
        .pattern(Some(pattern))
        .examples([example])
        .into()
}

fn strings<'a>(description: &str, values: impl IntoIterator<Item = &'a str>) -> RefOr<Schema> {
    let mut values: Vec<&str> = values.into_iter().collect();
    values.dedup();
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(description))
        .enum_values(Some(values))
        .into()
}

fn numbers(description: &str, values: impl IntoIterator<Item = i32>) -> RefOr<Schema> {
    let mut values: Vec<i32> = values.into_iter().collect();
    values.sort_unstable();
    values.dedup();
    ObjectBuilder::new()
        .schema_type(Type::Integer)
        .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
            utoipa::openapi::KnownFormat::Int32,
        )))
        .description(Some(description))
        .enum_values(Some(values))
        .into()
}

/// Writes the code schemas of `c` and the wire formats into the document's components.
pub fn describe(doc: &mut Doc, c: &Catalogue) {
    let components = doc.components.get_or_insert_with(Default::default);
    let schemas = &mut components.schemas;
    let mut set = |name: &str, schema: RefOr<Schema>| {
        schemas.insert(name.to_owned(), schema);
    };
    set(
        "UsdAmount",
        pattern(
            "A USD amount as a decimal string, at most fourteen digits and two decimals.",
            patterns::USD_AMOUNT,
            "1400000.00",
        ),
    );
    set(
        "BudgetAmount",
        pattern(
            "A seed budget in USD as a decimal string, below one billion, at most two decimals.",
            patterns::BUDGET,
            "100000.00",
        ),
    );
    set(
        "Amount",
        pattern(
            "An amount as a decimal string, at most as many decimals as its currency has (USD 2, JPY 0, KWD 3).",
            patterns::AMOUNT,
            "1500000.00",
        ),
    );
    set("UsdCurrency", strings("Always `USD`.", ["USD"]));
    set(
        "InitialStatus",
        strings(
            "The status a project is created in: `draft` (the default), or from `approved` on to enter a past year's record as history (needs `projects:approve`).",
            Status::ALL
                .iter()
                .filter(|s| **s == Status::Draft || s.is_historical_entry())
                .map(|s| s.as_str()),
        ),
    );
    set(
        "ShareText",
        pattern(
            "A share between 0 and 1 as a decimal string, at most six decimals.",
            patterns::SHARE,
            "0.25",
        ),
    );
    set(
        "RateText",
        pattern(
            "A positive decimal string, at most ten decimals.",
            patterns::RATE,
            "1.12",
        ),
    );
    set(
        "MonthText",
        pattern("A month, `YYYY-MM`.", &patterns::MONTH, "2019-06"),
    );
    set(
        "PartialDateText",
        pattern(
            "A year, a month or a day: `2021`, `2021-06` or `2021-06-03`.",
            &patterns::PARTIAL_DATE,
            "2021-06",
        ),
    );
    set(
        "IndicatorValueText",
        pattern(
            "An indicator value as a decimal string: at most twelve whole digits and six decimals, negative allowed.",
            crate::domain::results::VALUE_PATTERN,
            "12.5",
        ),
    );
    set(
        "Iso3Code",
        strings(
            "ISO 3166-1 alpha-3 country code, e.g. `BRA`.",
            country::codes(),
        ),
    );
    set(
        "LanguageCode",
        strings(
            "ISO 639-1 language code, e.g. `en`.",
            crate::domain::publication::language_codes().iter().copied(),
        ),
    );
    set(
        "CurrencyCode",
        strings(
            "Active ISO 4217 currency code, e.g. `EUR`.",
            money::currency_codes(),
        ),
    );
    set(
        "RatedCurrencyCode",
        strings(
            "Active ISO 4217 currency code other than `USD` (the unit rates are in), e.g. `EUR`.",
            money::currency_codes().into_iter().filter(|c| *c != "USD"),
        ),
    );
    set(
        "RegionCode",
        strings(
            "IOM region code (`GET /api/v1/regions`).",
            c.regions.iter().map(|r| r.code.as_str()),
        ),
    );
    set(
        "SdgGoalNumber",
        numbers("SDG goal number, 1–17.", c.goals.iter().map(|g| g.number)),
    );
    set(
        "SdgTargetCode",
        strings(
            "SDG target code, a string (`10.7`, `16.10`, `10.c`; `GET /api/v1/sdg/targets`).",
            c.targets.iter().map(|t| t.code.as_str()),
        ),
    );
    set(
        "MigofElementCode",
        strings(
            "MiGOF principle or objective (`GET /api/v1/migof/elements`).",
            c.migof.iter().map(|m| m.code.as_str()),
        ),
    );
    set(
        "GcmObjectiveNumber",
        numbers(
            "GCM objective number, 1–23.",
            c.gcm.iter().map(|g| g.number),
        ),
    );
    set(
        "MsdOutcomeNumber",
        numbers(
            "MSD strategy outcome (`GET /api/v1/msd/outcomes`).",
            c.msd_outcomes.iter().map(|o| o.number),
        ),
    );
    set(
        "MsdDeliverableNumber",
        numbers(
            "A deliverable number of its MSD outcome (`GET /api/v1/msd/outcomes`).",
            c.msd_deliverables.iter().map(|d| d.number),
        ),
    );
    set(
        "TaxonomyName",
        strings(
            "A taxonomy of `GET /api/v1/taxonomies/{name}`.",
            c.taxonomies.keys().map(String::as_str),
        ),
    );
    for (name, taxonomy, what) in [
        ("ThematicAreaCode", "thematic-areas", "Thematic area"),
        ("InnovationAreaCode", "innovation-areas", "Innovation area"),
        (
            "CrossCuttingThemeCode",
            "cross-cutting-themes",
            "Cross-cutting theme",
        ),
    ] {
        set(
            name,
            strings(
                &format!("{what} (`GET /api/v1/taxonomies/{taxonomy}`)."),
                c.terms(taxonomy),
            ),
        );
    }
}

/// The `ProjectCode` schema: two capital letters, a dot, four digits (`PO.0125`).
pub struct ProjectCodeSchema;

impl utoipa::PartialSchema for ProjectCodeSchema {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some(crate::domain::project::PROJECT_CODE_PATTERN))
            .description(Some(
                "A project code: two capital letters, a dot, four digits.",
            ))
            .examples(["PO.0125"])
            .into()
    }
}

impl utoipa::ToSchema for ProjectCodeSchema {
    fn name() -> std::borrow::Cow<'static, str> {
        "ProjectCode".into()
    }
}

/// The `NonEmptyText` schema: a string that is not blank (a member of a comma-separated
/// filter, where a blank member is refused).
pub struct NonEmptyText;

impl utoipa::PartialSchema for NonEmptyText {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .min_length(Some(1))
            .pattern(Some(crate::domain::wire::NON_BLANK))
            .into()
    }
}

impl utoipa::ToSchema for NonEmptyText {}

/// The `AddresseeName` schema: whom a recommendation is addressed to (`IOM Mongolia`).
pub struct AddresseeName;

impl utoipa::PartialSchema for AddresseeName {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some(
                "Whom a recommendation is addressed to, e.g. `IOM Mongolia`: 1–300 characters, not blank.",
            ))
            .min_length(Some(1))
            .max_length(Some(300))
            .pattern(Some(crate::domain::wire::NON_BLANK))
            .into()
    }
}

impl utoipa::ToSchema for AddresseeName {}
