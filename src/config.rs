//! Typed configuration, read once from the command line and the environment.
//!
//! Every setting is a CLI flag with an environment fallback; the README's configuration
//! table lists them. Secrets are wrapped in [`Secret`] so they never reach a log line.

use std::fmt;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// A value that must never be printed: `Debug` and `Display` show `***`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl std::str::FromStr for Secret {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Secret(s.to_owned()))
    }
}

#[derive(Debug, Parser)]
#[command(
    name = "devfund",
    version,
    about = "The IOM Development Fund's system of record"
)]
pub struct Cli {
    #[command(flatten)]
    pub config: Config,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP service (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Print a signed access token for the configured HS256 key.
    Token(TokenArgs),
    /// Manage logins.
    Users {
        #[command(subcommand)]
        command: UsersCommand,
    },
    /// Load data into the database.
    Seed(SeedArgs),
    /// Print the OpenAPI document (regenerate `openapi/openapi.json` with it).
    Openapi,
    /// Exit 0 when the service on the bind address answers `GET /health/ready` with 200,
    /// 1 otherwise (for container health checks).
    Healthcheck {
        /// Seconds to wait for the answer.
        #[arg(long, default_value_t = 3)]
        timeout_secs: u64,
    },
}

#[derive(Debug, Args)]
pub struct TokenArgs {
    /// The subject (user name) the token speaks for.
    #[arg(long)]
    pub sub: String,
    /// admin, fund_manager, project_officer, evaluator or viewer.
    #[arg(long)]
    pub role: String,
    /// Member states (ISO3, comma-separated) a project officer is scoped to.
    #[arg(long, value_delimiter = ',')]
    pub member_states: Vec<String>,
    /// Lifetime, e.g. `30m`, `1h`, `7d`.
    #[arg(long, default_value = "1h")]
    pub ttl: String,
}

#[derive(Debug, Subcommand)]
pub enum UsersCommand {
    /// Create a login; the password (or client secret) is read from standard input.
    Add {
        username: String,
        #[arg(long)]
        role: String,
        /// A service client (client_credentials grant) rather than a person.
        #[arg(long)]
        client: bool,
        #[arg(long, value_delimiter = ',')]
        member_states: Vec<String>,
    },
}

#[derive(Debug, Args)]
pub struct SeedArgs {
    /// Load the booklet's demo data (idempotent).
    #[arg(long)]
    pub demo: bool,
    /// Also generate this many synthetic projects (codes `XA.0000`…), for load tests.
    #[arg(long, value_name = "N")]
    pub synthetic: Option<u32>,
    /// With --synthetic: also generate this many follow-up funding records (and monthly
    /// EUR, GBP and JPY rates for 2005–2025; CHF is left without rates).
    #[arg(long, value_name = "M", default_value_t = 0)]
    pub follow_ups: u32,
    /// With --synthetic: also generate this many evaluations of the synthetic projects
    /// (most of them completed ex-post evaluations).
    #[arg(long, value_name = "E", default_value_t = 0)]
    pub evaluations: u32,
    /// With --evaluations: also generate this many recommendations spread over them, with
    /// addressees, management responses and status history.
    #[arg(long, value_name = "R", default_value_t = 0)]
    pub recommendations: u32,
}

#[derive(Debug, Clone, Args)]
pub struct Config {
    /// `postgres://…` selects PostgreSQL; a path or `sqlite://path` selects SQLite.
    /// Default: `<data dir>/devfund.sqlite3`.
    #[arg(long, env = "DATABASE_URL", global = true, hide_env_values = true)]
    pub database_url: Option<Secret>,
    /// Listen address.
    #[arg(
        long,
        env = "DEVFUND_BIND",
        default_value = "127.0.0.1:8080",
        global = true
    )]
    pub bind: String,
    /// Where the embedded database and a generated signing key live.
    #[arg(
        long,
        env = "DEVFUND_DATA_DIR",
        default_value = "./data",
        global = true
    )]
    pub data_dir: PathBuf,
    /// HS256 signing key for tokens this service issues; generated once into the data
    /// folder when absent.
    #[arg(
        long,
        env = "DEVFUND_JWT_SECRET",
        global = true,
        hide_env_values = true
    )]
    pub jwt_secret: Option<Secret>,
    /// `iss` required on every token.
    #[arg(
        long,
        env = "DEVFUND_JWT_ISSUER",
        default_value = "devfund",
        global = true
    )]
    pub jwt_issuer: String,
    /// `aud` required on every token.
    #[arg(
        long,
        env = "DEVFUND_JWT_AUDIENCE",
        default_value = "devfund-api",
        global = true
    )]
    pub jwt_audience: String,
    /// A JWKS file whose RSA keys sign RS256 tokens from IOM's identity provider.
    #[arg(long, env = "DEVFUND_JWT_JWKS_FILE", global = true)]
    pub jwt_jwks_file: Option<PathBuf>,
    /// A PEM RSA public key that signs RS256 tokens from IOM's identity provider.
    #[arg(long, env = "DEVFUND_JWT_PUBLIC_KEY_FILE", global = true)]
    pub jwt_public_key_file: Option<PathBuf>,
    /// Lifetime of tokens issued by `POST /api/v1/auth/token`, in seconds.
    #[arg(
        long,
        env = "DEVFUND_TOKEN_TTL_SECS",
        default_value_t = 3600,
        global = true
    )]
    pub token_ttl_secs: u64,
    /// Largest accepted request body, in bytes.
    #[arg(
        long,
        env = "DEVFUND_MAX_BODY_BYTES",
        default_value_t = 1_048_576,
        global = true
    )]
    pub max_body_bytes: usize,
    /// Database connections in the pool.
    #[arg(
        long,
        env = "DEVFUND_DB_POOL_SIZE",
        default_value_t = 10,
        global = true
    )]
    pub db_pool_size: u32,
    /// Memory, in MiB, for the kept JSON answers of the reports and the project list pages
    /// (per service copy); 0 keeps none.
    #[arg(
        long,
        env = "DEVFUND_KEPT_ANSWERS_MIB",
        default_value_t = 8,
        global = true
    )]
    pub kept_answers_mib: usize,
    /// HTTP worker threads (default: one per core).
    #[arg(long, env = "DEVFUND_WORKERS", global = true)]
    pub workers: Option<usize>,
    /// How often, in milliseconds, the webhook worker looks for due deliveries when no
    /// commit has woken it.
    #[arg(
        long,
        env = "DEVFUND_WEBHOOK_POLL_MS",
        default_value_t = 1000,
        global = true
    )]
    pub webhook_poll_ms: u64,
    /// The first retry wait of a webhook delivery, in milliseconds; each further retry waits
    /// twice as long (capped at an hour, plus up to 10 % jitter), for 24 hours.
    #[arg(
        long,
        env = "DEVFUND_WEBHOOK_BACKOFF_MS",
        default_value_t = 5000,
        global = true
    )]
    pub webhook_backoff_ms: u64,
    /// Seconds a client has, once connected, to send a request's head (request line and
    /// headers); actix answers a bare 408 and closes when it runs out.
    #[arg(
        long,
        env = "DEVFUND_REQUEST_TIMEOUT_SECS",
        default_value_t = 10,
        value_parser = clap::value_parser!(u64).range(1..),
        global = true
    )]
    pub request_timeout_secs: u64,
    /// Seconds a request's body has to finish arriving, counted from the end of its head
    /// (408 `request_timeout` and the connection closed beyond).
    #[arg(
        long,
        env = "DEVFUND_BODY_TIMEOUT_SECS",
        default_value_t = 10,
        value_parser = clap::value_parser!(u64).range(1..),
        global = true
    )]
    pub body_timeout_secs: u64,
    /// Seconds an idle keep-alive connection stays open; 0 turns keep-alive off.
    #[arg(
        long,
        env = "DEVFUND_KEEP_ALIVE_SECS",
        default_value_t = 5,
        global = true
    )]
    pub keep_alive_secs: u64,
    /// Open connections per worker; beyond it new connections wait in the backlog.
    #[arg(
        long,
        env = "DEVFUND_MAX_CONNECTIONS",
        default_value_t = 512,
        value_parser = clap::value_parser!(u64).range(1..),
        global = true
    )]
    pub max_connections: u64,
    /// Connections the kernel queues before the service accepts them.
    #[arg(
        long,
        env = "DEVFUND_BACKLOG",
        default_value_t = 1024,
        value_parser = clap::value_parser!(u32).range(1..),
        global = true
    )]
    pub backlog: u32,
    /// Seconds in-flight requests get to finish after SIGTERM or SIGINT; then the process
    /// exits regardless.
    #[arg(
        long,
        env = "DEVFUND_SHUTDOWN_TIMEOUT_SECS",
        default_value_t = 30,
        global = true
    )]
    pub shutdown_timeout_secs: u64,
    /// IATI organisation identifier of the reporting organisation: the prefix of every
    /// `iati-identifier` in `GET /exports/iati.xml` (default: IOM's).
    #[arg(
        long,
        env = "DEVFUND_IATI_ORG_REF",
        default_value = "XM-DAC-47066",
        value_parser = org_ref,
        global = true
    )]
    pub iati_org_ref: String,
    /// Log lines as JSON (`json`) or human-readable text (`text`).
    #[arg(
        long,
        env = "DEVFUND_LOG_FORMAT",
        default_value = "text",
        global = true
    )]
    pub log_format: String,
}

/// An IATI organisation identifier: non-empty, no white space (it starts identifiers).
fn org_ref(s: &str) -> Result<String, String> {
    if s.is_empty() || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        Err(
            "must be a non-empty IATI organisation identifier without spaces, e.g. XM-DAC-47066"
                .into(),
        )
    } else {
        Ok(s.to_owned())
    }
}

impl Config {
    /// The database URL, defaulting to a SQLite file in the data folder.
    pub fn database_url(&self) -> Secret {
        match self
            .database_url
            .as_ref()
            .filter(|u| !u.expose().is_empty())
        {
            Some(url) => url.clone(),
            None => Secret::new(self.data_dir.join("devfund.sqlite3").to_string_lossy()),
        }
    }

    /// A configuration for tests and tools: defaults everywhere, the given database.
    pub fn for_database(database_url: &str, data_dir: PathBuf) -> Self {
        let mut config = Cli::parse_from(["devfund"]).config;
        config.database_url = Some(Secret::new(database_url));
        config.data_dir = data_dir;
        config
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_print() {
        let s = Secret::new("hunter2");
        assert_eq!(format!("{s:?}"), "Secret(***)");
        let cli = Cli::parse_from(["devfund", "--jwt-secret", "hunter2"]);
        assert!(!format!("{cli:?}").contains("hunter2"));
    }
}
