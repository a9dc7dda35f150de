//! Which tokens the service accepts, and the tokens it issues.
//!
//! Accepted: HS256 signed with the service's own key (from `DEVFUND_JWT_SECRET`, or
//! generated once into the data folder), and RS256 signed by a configured RSA public key or
//! any RSA key of a configured JWKS file. The algorithm is pinned per key: an HS256 token is
//! only ever checked against the HS256 secret, so a token "signed" with the public RSA key
//! fails. `exp`, `iss`, `aud` and `sub` are required, and `sub` must name someone (not empty
//! or blank, whether the token is verified or issued); `nbf` is honoured; leeway is 30 s.

use std::path::Path;

use anyhow::Context;
use base64::Engine;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use serde::{Deserialize, Serialize};

use super::Role;
use super::verified::Verified;
use crate::config::{Config, Secret};

/// Clock skew tolerated on `exp` and `nbf`, in seconds.
pub const LEEWAY_SECS: u64 = 30;
const SECRET_FILE: &str = "jwt_secret";
const MIN_SECRET_BYTES: usize = 32;

/// The claims of an access token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub role: String,
    pub iss: String,
    pub aud: String,
    pub exp: i64,
    pub iat: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member_states: Option<Vec<String>>,
}

/// Why a token was refused; logged at debug level, never sent in detail to the client.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("algorithm not accepted")]
    Algorithm,
    #[error("no key for this token")]
    NoKey,
    #[error("unknown role {0:?}")]
    UnknownRole(String),
    #[error("the subject (sub) is empty")]
    EmptySubject,
    #[error(transparent)]
    Jwt(#[from] jsonwebtoken::errors::Error),
}

struct RsaKey {
    kid: Option<String>,
    key: DecodingKey,
}

pub struct AuthKeys {
    hs_encoding: EncodingKey,
    hs_decoding: DecodingKey,
    rsa: Vec<RsaKey>,
    issuer: String,
    audience: String,
    /// What a token must satisfy, per algorithm: built once, not on every request.
    hs_rules: Validation,
    rs_rules: Validation,
    verified: Verified,
}

impl AuthKeys {
    /// Loads the keys named by the configuration, generating the HS256 secret on first use.
    pub fn load(config: &Config) -> anyhow::Result<Self> {
        let secret = match config
            .jwt_secret
            .as_ref()
            .filter(|s| !s.expose().is_empty())
        {
            Some(s) => s.clone(),
            None => load_or_generate_secret(&config.data_dir)?,
        };
        anyhow::ensure!(
            secret.expose().len() >= MIN_SECRET_BYTES,
            "DEVFUND_JWT_SECRET must be at least {MIN_SECRET_BYTES} bytes"
        );
        let mut rsa = Vec::new();
        if let Some(path) = &config.jwt_public_key_file {
            let pem = std::fs::read(path).with_context(|| {
                format!("reading DEVFUND_JWT_PUBLIC_KEY_FILE {}", path.display())
            })?;
            rsa.push(RsaKey {
                kid: None,
                key: DecodingKey::from_rsa_pem(&pem)?,
            });
        }
        if let Some(path) = &config.jwt_jwks_file {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading DEVFUND_JWT_JWKS_FILE {}", path.display()))?;
            let set: JwkSet = serde_json::from_str(&text).context("parsing the JWKS file")?;
            for jwk in &set.keys {
                let key = DecodingKey::from_jwk(jwk).context("a JWKS key is not usable")?;
                rsa.push(RsaKey {
                    kid: jwk.common.key_id.clone(),
                    key,
                });
            }
        }
        Ok(Self::new(
            secret.expose().as_bytes(),
            rsa,
            &config.jwt_issuer,
            &config.jwt_audience,
        ))
    }

    fn new(secret: &[u8], rsa: Vec<RsaKey>, issuer: &str, audience: &str) -> Self {
        AuthKeys {
            hs_encoding: EncodingKey::from_secret(secret),
            hs_decoding: DecodingKey::from_secret(secret),
            rsa,
            issuer: issuer.to_owned(),
            audience: audience.to_owned(),
            hs_rules: rules(Algorithm::HS256, issuer, audience),
            rs_rules: rules(Algorithm::RS256, issuer, audience),
            verified: Verified::default(),
        }
    }

    /// Signs an HS256 access token; returns it with its expiry (Unix seconds).
    pub fn issue(
        &self,
        sub: &str,
        role: Role,
        member_states: Option<Vec<String>>,
        ttl_secs: u64,
    ) -> anyhow::Result<(String, i64)> {
        anyhow::ensure!(
            !sub.trim().is_empty(),
            "a token must name its subject: sub is empty"
        );
        let now = chrono::Utc::now().timestamp();
        let exp = now + i64::try_from(ttl_secs).context("ttl too large")?;
        let claims = Claims {
            sub: sub.to_owned(),
            role: role.as_str().to_owned(),
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            exp,
            iat: now,
            nbf: None,
            member_states,
        };
        let token =
            jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.hs_encoding)?;
        Ok((token, exp))
    }

    /// Checks algorithm, signature, expiry, not-before, issuer, audience, subject and role;
    /// a token that passed before has only its time window checked again ([`Verified`]).
    pub fn verify(&self, token: &str) -> Result<(Claims, Role), TokenError> {
        let now = chrono::Utc::now().timestamp();
        if let Some(known) = self.verified.get(token, now) {
            return Ok(known);
        }
        let (claims, role) = self.verify_fully(token)?;
        self.verified.put(token, &claims, role);
        Ok((claims, role))
    }

    fn verify_fully(&self, token: &str) -> Result<(Claims, Role), TokenError> {
        let header = jsonwebtoken::decode_header(token)?;
        let claims = match header.alg {
            Algorithm::HS256 => decode(token, &self.hs_decoding, &self.hs_rules)?,
            Algorithm::RS256 => {
                let candidates: Vec<&RsaKey> = match &header.kid {
                    Some(kid) => self
                        .rsa
                        .iter()
                        .filter(|k| k.kid.as_deref() == Some(kid))
                        .collect(),
                    None => self.rsa.iter().collect(),
                };
                let mut last = TokenError::NoKey;
                let mut found = None;
                for key in candidates {
                    match decode(token, &key.key, &self.rs_rules) {
                        Ok(claims) => {
                            found = Some(claims);
                            break;
                        }
                        Err(e) => last = e,
                    }
                }
                found.ok_or(last)?
            }
            _ => return Err(TokenError::Algorithm),
        };
        if claims.sub.trim().is_empty() {
            return Err(TokenError::EmptySubject);
        }
        let role = Role::parse(&claims.role)
            .ok_or_else(|| TokenError::UnknownRole(claims.role.clone()))?;
        Ok((claims, role))
    }
}

/// The checks of a token signed with `alg`: signature, expiry and not-before (with leeway),
/// issuer, audience, and the claims that must be present.
fn rules(alg: Algorithm, issuer: &str, audience: &str) -> Validation {
    let mut validation = Validation::new(alg);
    validation.set_issuer(&[issuer]);
    validation.set_audience(&[audience]);
    validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    validation.leeway = LEEWAY_SECS;
    validation.validate_nbf = true;
    validation
}

fn decode(token: &str, key: &DecodingKey, rules: &Validation) -> Result<Claims, TokenError> {
    Ok(jsonwebtoken::decode::<Claims>(token, key, rules)?.claims)
}

fn load_or_generate_secret(data_dir: &Path) -> anyhow::Result<Secret> {
    let path = data_dir.join(SECRET_FILE);
    if let Ok(text) = std::fs::read_to_string(&path) {
        return Ok(Secret::new(text.trim()));
    }
    std::fs::create_dir_all(data_dir)
        .with_context(|| format!("creating the data folder {}", data_dir.display()))?;
    let mut bytes = [0u8; 48];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let secret = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    write_private(&path, &secret).with_context(|| format!("writing {}", path.display()))?;
    tracing::info!(path = %path.display(), "generated a new token signing key");
    Ok(Secret::new(secret))
}

#[cfg(unix)]
fn write_private(path: &Path, content: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(content.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &Path, content: &str) -> std::io::Result<()> {
    std::fs::write(path, content)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> AuthKeys {
        AuthKeys::new(&[7u8; 32], Vec::new(), "devfund", "devfund-api")
    }

    fn sign(claims: &serde_json::Value, secret: &[u8]) -> String {
        jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            claims,
            &EncodingKey::from_secret(secret),
        )
        .unwrap()
    }

    fn claims(overrides: serde_json::Value) -> serde_json::Value {
        let now = chrono::Utc::now().timestamp();
        let mut base = serde_json::json!({
            "sub": "alice", "role": "admin", "iss": "devfund", "aud": "devfund-api",
            "exp": now + 600, "iat": now
        });
        for (k, v) in overrides.as_object().unwrap() {
            if v.is_null() {
                base.as_object_mut().unwrap().remove(k);
            } else {
                base[k] = v.clone();
            }
        }
        base
    }

    #[test]
    fn issued_tokens_verify() {
        let k = keys();
        let (token, _) = k.issue("alice", Role::Viewer, None, 60).unwrap();
        let (claims, role) = k.verify(&token).unwrap();
        assert_eq!((claims.sub.as_str(), role), ("alice", Role::Viewer));
    }

    #[test]
    fn tokens_failing_any_check_are_refused() {
        let k = keys();
        let now = chrono::Utc::now().timestamp();
        let cases = [
            ("expired", claims(serde_json::json!({"exp": now - 120}))),
            (
                "not yet valid",
                claims(serde_json::json!({"nbf": now + 600})),
            ),
            ("wrong issuer", claims(serde_json::json!({"iss": "evil"}))),
            (
                "wrong audience",
                claims(serde_json::json!({"aud": "other-api"})),
            ),
            ("no exp", claims(serde_json::json!({"exp": null}))),
            ("unknown role", claims(serde_json::json!({"role": "root"}))),
            ("no subject", claims(serde_json::json!({"sub": null}))),
            ("empty subject", claims(serde_json::json!({"sub": ""}))),
            ("blank subject", claims(serde_json::json!({"sub": " \t "}))),
        ];
        for (name, c) in cases {
            assert!(
                k.verify(&sign(&c, &[7u8; 32])).is_err(),
                "{name} was accepted"
            );
        }
        assert!(
            k.verify(&sign(&claims(serde_json::json!({})), &[8u8; 32]))
                .is_err(),
            "wrong key"
        );
    }

    #[test]
    fn tokens_without_a_subject_are_not_issued() {
        for sub in ["", "  "] {
            let e = keys().issue(sub, Role::Admin, None, 60).unwrap_err();
            assert!(e.to_string().contains("sub is empty"), "{e}");
        }
    }

    #[test]
    fn expiry_within_leeway_is_tolerated() {
        let now = chrono::Utc::now().timestamp();
        let c = claims(serde_json::json!({"exp": now - 5}));
        assert!(keys().verify(&sign(&c, &[7u8; 32])).is_ok());
    }
}
