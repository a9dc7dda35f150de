//! Prometheus metrics, kept in memory and rendered in the text exposition format.
//!
//! Requests are counted by method, matched route pattern (never the raw path, so the label
//! set stays bounded) and status; latencies go into a fixed-bucket histogram per route. Both
//! are observed when the response has been sent in full (or abandoned), not when its head
//! goes out; responses that did not end normally are also counted by outcome.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Duration;

const BUCKETS: [f64; 10] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0];

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

#[derive(Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(String, String, u16), u64>>,
    latency: Mutex<BTreeMap<String, Histogram>>,
    incomplete: Mutex<BTreeMap<(String, &'static str), u64>>,
}

impl Metrics {
    pub fn observe(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        let secs = elapsed.as_secs_f64();
        if let Ok(mut map) = self.requests.lock() {
            *map.entry((method.to_owned(), route.to_owned(), status))
                .or_default() += 1;
        }
        if let Ok(mut map) = self.latency.lock() {
            let h = map.entry(route.to_owned()).or_default();
            h.count += 1;
            h.sum += secs;
            for (i, bound) in BUCKETS.iter().enumerate() {
                if secs <= *bound {
                    h.counts[i] += 1;
                }
            }
        }
    }

    /// A response whose body did not reach its end (`client_gone`, `body_error`).
    pub fn observe_incomplete(&self, route: &str, outcome: &'static str) {
        if let Ok(mut map) = self.incomplete.lock() {
            *map.entry((route.to_owned(), outcome)).or_default() += 1;
        }
    }

    /// The text exposition format; `pool` adds the connection pool gauges, `report_base` how
    /// many times the reports' base was brought up to date, each way.
    pub fn render(
        &self,
        pool: Option<r2d2::State>,
        queries: u64,
        report_base: &[(&str, u64)],
    ) -> String {
        let mut out = String::new();
        out.push_str("# HELP devfund_http_requests_total HTTP requests served.\n");
        out.push_str("# TYPE devfund_http_requests_total counter\n");
        if let Ok(map) = self.requests.lock() {
            for ((method, route, status), n) in map.iter() {
                let _ = writeln!(
                    out,
                    "devfund_http_requests_total{{method=\"{method}\",route=\"{}\",status=\"{status}\"}} {n}",
                    escape(route)
                );
            }
        }
        out.push_str("# HELP devfund_http_request_duration_seconds Time to serve a request.\n");
        out.push_str("# TYPE devfund_http_request_duration_seconds histogram\n");
        if let Ok(map) = self.latency.lock() {
            for (route, h) in map.iter() {
                let route = escape(route);
                for (bound, n) in BUCKETS.iter().zip(h.counts) {
                    let _ = writeln!(
                        out,
                        "devfund_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{bound}\"}} {n}"
                    );
                }
                let _ = writeln!(
                    out,
                    "devfund_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}",
                    h.count
                );
                let _ = writeln!(
                    out,
                    "devfund_http_request_duration_seconds_sum{{route=\"{route}\"}} {}",
                    h.sum
                );
                let _ = writeln!(
                    out,
                    "devfund_http_request_duration_seconds_count{{route=\"{route}\"}} {}",
                    h.count
                );
            }
        }
        out.push_str(
            "# HELP devfund_http_responses_incomplete_total Responses whose body did not reach its end.\n",
        );
        out.push_str("# TYPE devfund_http_responses_incomplete_total counter\n");
        if let Ok(map) = self.incomplete.lock() {
            for ((route, outcome), n) in map.iter() {
                let _ = writeln!(
                    out,
                    "devfund_http_responses_incomplete_total{{route=\"{}\",outcome=\"{outcome}\"}} {n}",
                    escape(route)
                );
            }
        }
        out.push_str("# HELP devfund_db_queries_total SQL statements run.\n");
        out.push_str("# TYPE devfund_db_queries_total counter\n");
        let _ = writeln!(out, "devfund_db_queries_total {queries}");
        out.push_str("# HELP devfund_report_base_refreshes_total Times the reports' base was brought up to the change feed: read whole, merged with the projects that changed, or moved on.\n");
        out.push_str("# TYPE devfund_report_base_refreshes_total counter\n");
        for (how, n) in report_base {
            let _ = writeln!(
                out,
                "devfund_report_base_refreshes_total{{how=\"{how}\"}} {n}"
            );
        }
        if let Some(state) = pool {
            out.push_str("# HELP devfund_db_pool_connections Open database connections.\n");
            out.push_str("# TYPE devfund_db_pool_connections gauge\n");
            let _ = writeln!(out, "devfund_db_pool_connections {}", state.connections);
            out.push_str("# HELP devfund_db_pool_idle_connections Idle database connections.\n");
            out.push_str("# TYPE devfund_db_pool_idle_connections gauge\n");
            let _ = writeln!(
                out,
                "devfund_db_pool_idle_connections {}",
                state.idle_connections
            );
        }
        out
    }
}

fn escape(label: &str) -> String {
    label.replace('\\', "\\\\").replace('"', "\\\"")
}
