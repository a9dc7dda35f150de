//! The `devfund` binary: parse the command line, start logging, run the command.

#![forbid(unsafe_code)]

use clap::Parser;

/// jemalloc, whose background thread hands freed pages back to the system about a second after
/// a burst: glibc's malloc kept what start-up and load had freed for good (idle RSS 54 MB with
/// glibc, 36 MB with jemalloc; README, Benchmark). Its options (one arena, quick decay) are
/// baked in at build time from `.cargo/config.toml`.
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> std::process::ExitCode {
    let cli = devfund::config::Cli::parse();
    devfund::cli::init_logging(&cli.config);
    match devfund::cli::run(cli) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %format!("{e:#}"), "devfund stopped");
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
