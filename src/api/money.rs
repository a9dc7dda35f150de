//! Money as clients send it, checked into [`Money`].

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::schemas::{Amount, BudgetAmount, CurrencyCode, UsdAmount, UsdCurrency};
use crate::domain::Money;
use crate::domain::money::{self, MoneyError};

/// An amount in any currency. The amount may be any JSON value here, so that a JSON number
/// is refused with its own code (`amount_not_a_string`) rather than a generic type error.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoneyInput {
    #[schema(value_type = Amount)]
    pub amount: serde_json::Value,
    #[schema(value_type = CurrencyCode)]
    pub currency: String,
}

/// A USD amount: caps and envelopes.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"amount": "1400000.00", "currency": "USD"}))]
pub struct UsdInput {
    #[schema(value_type = UsdAmount)]
    pub amount: serde_json::Value,
    #[schema(value_type = UsdCurrency)]
    pub currency: String,
}

/// A project's seed budget in USD: below one billion, so that sums over any portfolio stay
/// far inside the integers the databases add exactly.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"amount": "100000.00", "currency": "USD"}))]
pub struct BudgetInput {
    #[schema(value_type = BudgetAmount)]
    pub amount: serde_json::Value,
    #[schema(value_type = UsdCurrency)]
    pub currency: String,
}

fn text(amount: &serde_json::Value) -> Result<&str, MoneyError> {
    amount.as_str().ok_or(MoneyError::NotAString)
}

impl MoneyInput {
    pub fn parse(&self) -> Result<Money, MoneyError> {
        Money::parse(text(&self.amount)?, &self.currency)
    }
}

impl UsdInput {
    pub fn parse(&self) -> Result<Money, MoneyError> {
        Money::parse_usd(text(&self.amount)?, &self.currency, money::MAX_WHOLE_DIGITS)
    }
}

impl BudgetInput {
    pub fn parse(&self) -> Result<Money, MoneyError> {
        Money::parse_usd(
            text(&self.amount)?,
            &self.currency,
            money::MAX_BUDGET_WHOLE_DIGITS,
        )
    }

    /// How a stored budget is shown in a document a client may send back (PATCH merges).
    pub fn of(money: Money) -> BudgetInput {
        BudgetInput {
            amount: serde_json::Value::String(money.amount_string()),
            currency: money.currency().code().to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_json_number_is_refused_with_its_own_code() {
        let float = MoneyInput {
            amount: serde_json::json!(1.5),
            currency: "USD".into(),
        };
        assert_eq!(float.parse().unwrap_err().code(), "amount_not_a_string");
        let eur = UsdInput {
            amount: serde_json::json!("1.00"),
            currency: "EUR".into(),
        };
        assert_eq!(eur.parse().unwrap_err().code(), "wrong_currency");
    }
}
