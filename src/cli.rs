//! The commands of the `devfund` binary.

use std::io::Read;

use anyhow::Context;

use crate::auth::{AuthKeys, Role};
use crate::config::{Cli, Command, Config, SeedArgs, TokenArgs, UsersCommand};
use crate::db;
use crate::domain::Iso3;
use crate::server;
use crate::services::{self, Actor};

pub fn init_logging(config: &Config) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("RUST_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if config.log_format == "json" {
        builder.json().init();
    } else {
        builder.init();
    }
}

pub fn run(cli: Cli) -> anyhow::Result<()> {
    let config = cli.config;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(config),
        Command::Migrate => migrate(&config),
        Command::Token(args) => token(&config, args),
        Command::Users {
            command:
                UsersCommand::Add {
                    username,
                    role,
                    client,
                    member_states,
                },
        } => add_user(&config, username, &role, client, member_states),
        Command::Seed(args) => seed(&config, args),
        Command::Healthcheck { timeout_secs } => {
            healthcheck(&config, std::time::Duration::from_secs(timeout_secs))
        }
        Command::Openapi => {
            println!("{}", crate::api::openapi::document()?.to_pretty_json()?);
            Ok(())
        }
    }
}

fn serve(config: Config) -> anyhow::Result<()> {
    let state = crate::state::AppState::build(&config)?;
    tracing::info!(
        bind = %config.bind,
        backend = state.backend.name(),
        workers = server::workers(&config),
        "devfund listening"
    );
    let shutdown_timeout = std::time::Duration::from_secs(config.shutdown_timeout_secs);
    actix_web::rt::System::new().block_on(async move {
        let settings = crate::services::webhooks::worker::Settings::from_config(&config);
        let worker = crate::services::webhooks::worker::spawn(state.pool.clone(), settings);
        let server = server::start(state, &config, server::Listen::Bind(config.bind.clone()))
            .with_context(|| format!("binding {}", config.bind))?;
        let served = server::run_until_signalled(server, shutdown_timeout).await;
        // The webhook worker stops with the server; a send in flight is retried next start.
        worker.stop().await;
        served.context("server error")?;
        tracing::info!("devfund stopped");
        Ok(())
    })
}

/// Asks the service on the configured bind address whether it is ready: exit 0 when
/// `GET /health/ready` answers 200 within `timeout`, 1 otherwise. For container health
/// checks, so it needs no HTTP client beyond a socket.
fn healthcheck(config: &Config, timeout: std::time::Duration) -> anyhow::Result<()> {
    use std::io::{Read, Write};
    let addr = health_address(&config.bind)?;
    let mut stream = std::net::TcpStream::connect_timeout(&addr, timeout)
        .with_context(|| format!("connecting to {addr}"))?;
    stream.set_read_timeout(Some(timeout))?;
    stream.set_write_timeout(Some(timeout))?;
    write!(
        stream,
        "GET /health/ready HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )?;
    // The status line is all that matters.
    let mut answer = Vec::new();
    let mut chunk = [0u8; 256];
    while !answer.contains(&b'\n') && answer.len() < 1024 {
        match stream.read(&mut chunk).context("reading the answer")? {
            0 => break,
            n => answer.extend_from_slice(&chunk[..n]),
        }
    }
    let answer = String::from_utf8_lossy(&answer);
    let status_line = answer.lines().next().unwrap_or("no answer");
    anyhow::ensure!(
        status_line.split(' ').nth(1) == Some("200"),
        "not ready: {status_line}"
    );
    println!("ready");
    Ok(())
}

/// The address to reach a service bound to `bind`: a wildcard address means this host.
fn health_address(bind: &str) -> anyhow::Result<std::net::SocketAddr> {
    use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, ToSocketAddrs};
    let mut addr = bind
        .to_socket_addrs()
        .with_context(|| format!("bind address {bind:?}"))?
        .next()
        .with_context(|| format!("bind address {bind:?} resolves to nothing"))?;
    if addr.ip().is_unspecified() {
        addr.set_ip(match addr.ip() {
            IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(_) => IpAddr::V6(Ipv6Addr::LOCALHOST),
        });
    }
    Ok(addr)
}

/// Opens the configured database and applies pending migrations.
fn open(config: &Config) -> anyhow::Result<db::Pool> {
    let url = config.database_url();
    db::ensure_sqlite_dir(url.expose())?;
    let pool = db::connect(url.expose(), 2)?;
    db::migrate::run_pending(&mut *pool.get()?)?;
    Ok(pool)
}

fn migrate(config: &Config) -> anyhow::Result<()> {
    let url = config.database_url();
    db::ensure_sqlite_dir(url.expose())?;
    let pool = db::connect(url.expose(), 1)?;
    let applied = db::migrate::run_pending(&mut *pool.get()?)?;
    println!(
        "applied {} migration(s){}",
        applied.len(),
        if applied.is_empty() {
            "; the database is current"
        } else {
            ""
        }
    );
    Ok(())
}

fn parse_role(role: &str) -> anyhow::Result<Role> {
    Role::parse(role).with_context(|| {
        let names: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
        format!("unknown role {role:?}; use one of {}", names.join(", "))
    })
}

fn parse_states(states: Vec<String>) -> anyhow::Result<Option<Vec<String>>> {
    for s in &states {
        Iso3::parse(s).with_context(|| format!("member state {s:?}"))?;
    }
    Ok(if states.is_empty() {
        None
    } else {
        Some(states)
    })
}

/// Parses `30s`, `15m`, `1h`, `7d` into seconds.
pub fn parse_ttl(ttl: &str) -> anyhow::Result<u64> {
    let (number, unit) = ttl.split_at(ttl.find(|c: char| !c.is_ascii_digit()).unwrap_or(ttl.len()));
    let n: u64 = number
        .parse()
        .with_context(|| format!("ttl {ttl:?}: expected e.g. 30m, 1h, 7d"))?;
    let factor = match unit {
        "" | "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => anyhow::bail!("ttl {ttl:?}: the unit must be s, m, h or d"),
    };
    n.checked_mul(factor)
        .filter(|s| *s > 0)
        .context("ttl out of range")
}

fn token(config: &Config, args: TokenArgs) -> anyhow::Result<()> {
    anyhow::ensure!(
        !args.sub.trim().is_empty(),
        "--sub must name who the token speaks for (a user or client name); it is empty"
    );
    let role = parse_role(&args.role)?;
    let states = parse_states(args.member_states)?;
    let keys = AuthKeys::load(config)?;
    let (token, _) = keys.issue(&args.sub, role, states, parse_ttl(&args.ttl)?)?;
    println!("{token}");
    Ok(())
}

fn add_user(
    config: &Config,
    username: String,
    role: &str,
    client: bool,
    states: Vec<String>,
) -> anyhow::Result<()> {
    let role = parse_role(role)?;
    let member_states = parse_states(states)?;
    let mut password = String::new();
    std::io::stdin()
        .read_to_string(&mut password)
        .context("reading the password from standard input")?;
    let password = password.trim_end_matches(['\r', '\n']).to_owned();
    anyhow::ensure!(
        password.chars().count() >= 12,
        "the password must be at least 12 characters"
    );
    let pool = open(config)?;
    let kind = if client {
        services::users::Kind::Client
    } else {
        services::users::Kind::Person
    };
    let new = services::users::NewUser {
        username: username.clone(),
        kind,
        role,
        member_states,
        password,
    };
    services::users::create(&mut *pool.get()?, &Actor::system("cli"), new)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!(
        "created {} {username} with role {}",
        kind.as_str(),
        role.as_str()
    );
    Ok(())
}

fn seed(config: &Config, args: SeedArgs) -> anyhow::Result<()> {
    anyhow::ensure!(
        args.demo || args.synthetic.is_some(),
        "nothing to seed: pass --demo to load the booklet's demo data (and --synthetic N for load tests)"
    );
    let pool = open(config)?;
    let mut conn = pool.get()?;
    let catalogue = crate::models::reference::Catalogue::load(&mut conn)?;
    let report = crate::seed::demo(&mut conn, &catalogue).map_err(|e| anyhow::anyhow!("{e}"))?;
    println!(
        "demo data: {} member state(s), {} eligibility record(s), {} project(s), {} follow-up funding record(s), {} evaluation(s)",
        report.member_states_created,
        report.eligibility_written,
        report.projects_created,
        report.follow_ups_created,
        report.evaluations_created
    );
    if let Some(n) = args.synthetic {
        let started = std::time::Instant::now();
        let created =
            crate::seed::synthetic(&mut conn, &catalogue, n).map_err(|e| anyhow::anyhow!("{e}"))?;
        println!(
            "synthetic: {created} project(s) created in {:.1} s",
            started.elapsed().as_secs_f64()
        );
        if args.follow_ups > 0 {
            let started = std::time::Instant::now();
            let made = crate::seed::synthetic_follow_ups(&mut conn, n, args.follow_ups)
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!(
                "synthetic: {made} follow-up record(s) created in {:.1} s",
                started.elapsed().as_secs_f64()
            );
        }
        if args.evaluations > 0 {
            let started = std::time::Instant::now();
            let (evaluations, recommendations) = crate::seed::synthetic_evaluations(
                &mut conn,
                n,
                args.evaluations,
                args.recommendations,
            )
            .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!(
                "synthetic: {evaluations} evaluation(s) and {recommendations} recommendation(s) created in {:.1} s",
                started.elapsed().as_secs_f64()
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn ttls_parse_with_units() {
        assert_eq!(super::parse_ttl("90").unwrap(), 90);
        assert_eq!(super::parse_ttl("30m").unwrap(), 1800);
        assert_eq!(super::parse_ttl("1h").unwrap(), 3600);
        assert_eq!(super::parse_ttl("7d").unwrap(), 604_800);
        assert!(super::parse_ttl("1w").is_err());
        assert!(super::parse_ttl("0h").is_err());
    }

    #[test]
    fn the_health_check_reaches_a_wildcard_bind_on_this_host() {
        assert_eq!(
            super::health_address("0.0.0.0:8080").unwrap().to_string(),
            "127.0.0.1:8080"
        );
        assert_eq!(
            super::health_address("[::]:8080").unwrap().to_string(),
            "[::1]:8080"
        );
        assert_eq!(
            super::health_address("127.0.0.1:9000").unwrap().to_string(),
            "127.0.0.1:9000"
        );
    }
}
