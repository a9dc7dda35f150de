//! Webhooks and the change feed: event names, secrets, signatures (Standard Webhooks), target
//! URLs, the retry schedule and feed cursors. Pure: no I/O.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::project::Status;

/// The record types whose changes the feed and webhooks report (the `record_type` of the
/// audit trail).
pub const RECORD_TYPES: &[&str] = &[
    "allocation",
    "evaluation",
    "evaluation_question",
    "exchange_rate",
    "follow_up",
    "funding_rule",
    "indicator",
    "measurement",
    "member_state",
    "project",
    "publication",
    "recommendation",
    "result",
    "user",
];

/// What happened to a record, as the feed says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeAction {
    Created,
    Updated,
    Deleted,
}

impl ChangeAction {
    /// The change an audit action amounts to: `create` → created, `delete` → deleted, any
    /// other (update, transition, add_link, eligibility, …) → updated. A child recorded on
    /// its parent (a link on its project) is the parent's update.
    pub fn of_audit(action: &str) -> Self {
        match action {
            "create" => ChangeAction::Created,
            "delete" => ChangeAction::Deleted,
            _ => ChangeAction::Updated,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ChangeAction::Created => "created",
            ChangeAction::Updated => "updated",
            ChangeAction::Deleted => "deleted",
        }
    }
}

/// Every event a subscription may name: `<record_type>.created|updated|deleted` for each
/// record type, and `project.<status>` for each status a project can move to.
pub fn all_events() -> Vec<String> {
    let mut events: Vec<String> = RECORD_TYPES
        .iter()
        .flat_map(|t| {
            ["created", "updated", "deleted"]
                .into_iter()
                .map(move |a| format!("{t}.{a}"))
        })
        .collect();
    events.extend(
        Status::ALL
            .iter()
            .map(|s| format!("project.{}", s.as_str())),
    );
    events.sort();
    events.dedup();
    events
}

/// The events one audited change raises: `<record_type>.<action>`, and for a project whose
/// status changed, `project.<new status>`.
pub fn events_of(record_type: &str, action: ChangeAction, new_status: Option<&str>) -> Vec<String> {
    let mut events = vec![format!("{record_type}.{}", action.as_str())];
    if record_type == "project"
        && let Some(status) = new_status
    {
        events.push(format!("project.{status}"));
    }
    events
}

/// The strong ETag a record of `version` is served with (the same text as the `ETag` header).
pub fn etag_of(version: i64) -> String {
    format!("\"v{version}\"")
}

/// The `Webhook-Id` (and the body's `id`) of the message for `event` raised by change
/// `change_id`: the same on every retry, so a receiver can drop duplicates.
pub fn message_id(change_id: i64, event: &str) -> String {
    format!("msg_{change_id}_{}", event.replace('.', "_"))
}

const SECRET_PREFIX: &str = "whsec_";

/// Why a secret is refused.
pub const SECRET_RULE: &str = "must be whsec_ followed by the base64 of 24 to 64 bytes";

/// The HMAC key of a `whsec_…` secret, if it is one (24 to 64 bytes).
pub fn secret_key(secret: &str) -> Option<Vec<u8>> {
    let key = STANDARD.decode(secret.strip_prefix(SECRET_PREFIX)?).ok()?;
    (24..=64).contains(&key.len()).then_some(key)
}

/// A new secret: `whsec_` and the base64 of 32 random bytes.
pub fn new_secret() -> String {
    use rand::RngCore;
    let mut key = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut key);
    format!("{SECRET_PREFIX}{}", STANDARD.encode(key))
}

/// The `Webhook-Signature` value: `v1,` and the base64 HMAC-SHA256 of `{id}.{timestamp}.{body}`
/// under `key`.
pub fn signature(key: &[u8], id: &str, timestamp: i64, body: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes a key of any length");
    mac.update(format!("{id}.{timestamp}.{body}").as_bytes());
    format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
}

/// What a target URL looks like (the document states it): `http` or `https`, a host name
/// (letters, digits, dots, hyphens) or a bracketed IPv6 address, an optional port, and then
/// a path, query or fragment without spaces or control characters. No user name or password:
/// a secret does not belong in a URL that is listed back to every admin.
pub const URL_PATTERN: &str = r"^https?://(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?(?:[/?#][^\s\x00-\x1f\x7f-\x9f]*)?$";

/// What a secret looks like: `whsec_` and the canonical base64 of 24 to 64 bytes.
pub const SECRET_PATTERN: &str = "^whsec_(?:(?:[A-Za-z0-9+/]{4}){8,21}(?:[A-Za-z0-9+/][AQgw]==)?|(?:[A-Za-z0-9+/]{4}){8,20}[A-Za-z0-9+/]{2}[AEIMQUYcgkosw048]=)$";

/// Why a target URL is refused, if it is (see [`URL_PATTERN`]).
pub fn url_problem(url: &str) -> Option<&'static str> {
    const SHAPE: &str = "must be an http or https URL with a host name or [IPv6 address], an \
                         optional port, and no spaces or user name";
    if url.len() > 2000 {
        return Some("must be at most 2000 characters");
    }
    let Some(rest) = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
    else {
        return Some("must be an http or https URL");
    };
    let after_host = if let Some(v6) = rest.strip_prefix('[') {
        let Some((inner, after)) = v6.split_once(']') else {
            return Some(SHAPE);
        };
        if inner.is_empty()
            || !inner
                .chars()
                .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.')
        {
            return Some(SHAPE);
        }
        after
    } else {
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '-'))
            .unwrap_or(rest.len());
        if end == 0 {
            return Some(SHAPE);
        }
        &rest[end..]
    };
    let after_port = match after_host.strip_prefix(':') {
        Some(port) => {
            let digits = port
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(port.len());
            if !(1..=5).contains(&digits) {
                return Some(SHAPE);
            }
            &port[digits..]
        }
        None => after_host,
    };
    let spaced = |c: char| c.is_whitespace() || c.is_control() || c == '\u{feff}';
    match after_port.chars().next() {
        None => None,
        Some('/' | '?' | '#') if !after_port.chars().any(spaced) => None,
        Some(_) => Some(SHAPE),
    }
}

/// The retry schedule: the wait after failed attempt `n` (1-based) is `base · 2^(n-1)`,
/// capped at one hour, plus up to 10 % jitter (`jitter` in 0..=1).
pub fn backoff_ms(base_ms: u64, attempt: u32, jitter: f64) -> u64 {
    const CAP_MS: u64 = 3_600_000;
    let exp = attempt.saturating_sub(1).min(30);
    let wait = base_ms.saturating_mul(1u64 << exp).min(CAP_MS);
    wait + (wait as f64 * 0.1 * jitter.clamp(0.0, 1.0)) as u64
}

/// How long after its creation a delivery is retried before it is marked failed.
pub const RETRY_FOR_HOURS: i64 = 24;

/// What a feed cursor looks like: `c` and 16 lowercase hex digits of a non-negative id. The
/// document states it, so a client (or a fuzzer) can tell a cursor from anything else without
/// asking; clients still treat it as opaque.
pub const CURSOR_PATTERN: &str = "^c[0-7][0-9a-f]{15}$";

/// The opaque cursor of change `id` (ids are never negative).
pub fn cursor(id: i64) -> String {
    format!("c{:016x}", id.max(0))
}

/// The change id a cursor stands for, if it is one of ours.
pub fn parse_cursor(text: &str) -> Option<i64> {
    let hex = text.strip_prefix('c')?;
    if hex.len() != 16 || !hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return None;
    }
    i64::from_str_radix(hex, 16).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_refuse_anything_else() {
        for id in [0, 1, 42, i64::MAX] {
            assert_eq!(parse_cursor(&cursor(id)), Some(id));
        }
        for bad in [
            "",
            "42",
            "!!",
            "c-000000000000001",
            "c8000000000000000",
            "c000000000000002A",
            "c00000000000000001",
            "d0000000000000001",
        ] {
            assert_eq!(parse_cursor(bad), None, "{bad}");
        }
    }

    #[test]
    fn signature_matches_the_standard_webhooks_example() {
        // From the Standard Webhooks specification's test vectors.
        let key = secret_key("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        let body = r#"{"test": 2432232314}"#;
        assert_eq!(
            signature(&key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
    }

    #[test]
    fn secrets_need_the_prefix_and_a_key_of_24_to_64_bytes() {
        assert!(secret_key(&new_secret()).is_some());
        assert!(secret_key("whsec_").is_none());
        assert!(secret_key(&format!("whsec_{}", STANDARD.encode([1u8; 23]))).is_none());
        assert!(secret_key(&format!("whsec_{}", STANDARD.encode([1u8; 65]))).is_none());
        assert!(secret_key(&STANDARD.encode([1u8; 32])).is_none());
    }

    #[test]
    fn urls_must_be_http_with_a_host() {
        assert_eq!(url_problem("https://example.org/hook"), None);
        assert_eq!(url_problem("http://127.0.0.1:8080"), None);
        assert_eq!(url_problem("http://[::1]:80/x"), None);
        for bad in [
            "ftp://x",
            "http://",
            "https:///path",
            "example.org",
            "http://a b",
            "javascript:alert(1)",
            "http://user:pw@example.org/",
            "http://[abc/",
            "http://example.org:123456/",
            "http://example.org:/",
            "http://example.org/\u{85}",
        ] {
            assert!(url_problem(bad).is_some(), "{bad}");
        }
    }

    /// The patterns the document states accept exactly what the checks accept.
    #[test]
    fn the_documented_patterns_match_the_checks() {
        let url = regex::Regex::new(URL_PATTERN).expect("URL pattern");
        let secret = regex::Regex::new(SECRET_PATTERN).expect("secret pattern");
        let urls = [
            "https://example.org/hook",
            "http://127.0.0.1:8080",
            "http://[::1]:80/x",
            "ftp://x",
            "http://",
            "https:///p",
            "http://a b",
            "http://u@h/",
            "http://[abc/",
            "http://h:1/",
            "http://h:123456",
            "http://h:",
            "http://h/\u{85}",
            "http://h/\u{7f}",
            "http://h?q=1",
            "http://h#f",
            "http://h.x-y",
            "http://h_",
            "HTTP://h",
            "http://h/\u{2003}",
        ];
        for u in urls {
            assert_eq!(url.is_match(u), url_problem(u).is_none(), "{u:?}");
        }
        for n in 0..=70usize {
            for fill in [0u8, 1, 0xff, 0x5a] {
                let text = format!("{SECRET_PREFIX}{}", STANDARD.encode(vec![fill; n]));
                assert_eq!(
                    secret.is_match(&text),
                    secret_key(&text).is_some(),
                    "{n} {text}"
                );
                // Non-canonical trailing bits and missing padding.
                for twisted in [
                    text.replace("A==", "B=="),
                    text.trim_end_matches('=').to_owned(),
                ] {
                    assert_eq!(
                        secret.is_match(&twisted),
                        secret_key(&twisted).is_some(),
                        "{twisted}"
                    );
                }
            }
        }
    }

    #[test]
    fn backoff_doubles_and_is_capped() {
        assert_eq!(backoff_ms(5000, 1, 0.0), 5000);
        assert_eq!(backoff_ms(5000, 2, 0.0), 10_000);
        assert_eq!(backoff_ms(5000, 40, 0.0), 3_600_000);
        assert_eq!(backoff_ms(5000, 1, 1.0), 5500);
    }

    #[test]
    fn events_name_each_record_type_and_project_status() {
        let all = all_events();
        assert!(all.contains(&"project.approved".to_owned()));
        assert!(all.contains(&"follow_up.created".to_owned()));
        assert_eq!(
            events_of("project", ChangeAction::Updated, Some("approved")),
            ["project.updated", "project.approved"]
        );
    }
}
