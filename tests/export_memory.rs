//! The memory a whole list's CSV export holds does not grow with the rows it exports.
//!
//! A test binary of its own, because it counts every allocation of the process with a
//! global allocator: the peak of live heap bytes while one export of N projects is read
//! through HTTP, then the same with 4N. The reader keeps a page at a time and at most a few
//! rendered chunks in flight, so both peaks are the same but for noise; an export that held
//! its rows, its text or its pages (the whole document was 0.5 MB per thousand projects)
//! would grow by megabytes.

#[path = "api/support/mod.rs"]
#[expect(
    dead_code,
    reason = "the harness is shared with the API tests, which use all of it"
)]
mod support;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use devfund::auth::Role;
use futures_util::StreamExt;

use support::TestApp;

/// The system allocator, counting the bytes live now and the most live since the last reset.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(by: usize) {
    let now = LIVE.fetch_add(by, Ordering::Relaxed) + by;
    PEAK.fetch_max(now, Ordering::Relaxed);
}

#[expect(
    unsafe_code,
    reason = "a global allocator is unsafe to implement; this one only forwards to System"
)]
// SAFETY: every call forwards to `System` with the caller's arguments unchanged, so the
// contract of `GlobalAlloc` is `System`'s; the counters only observe.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded as is.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded as is.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded as is.
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: forwarded as is.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            if new_size >= layout.size() {
                grew(new_size - layout.size());
            } else {
                LIVE.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// The peak of live heap bytes above those live at its start while the whole project CSV
/// is read through HTTP (every chunk dropped as it comes), and the rows it held.
async fn peak_of_export(app: &TestApp) -> (usize, usize) {
    let client = awc::Client::builder()
        .timeout(std::time::Duration::from_secs(120))
        .finish();
    let token = app.token(Role::Viewer);
    let start = LIVE.load(Ordering::Relaxed);
    PEAK.store(start, Ordering::Relaxed);
    let mut res = client
        .get(format!("{}/api/v1/projects?format=csv", app.base))
        .insert_header(("authorization", format!("Bearer {token}")))
        .send()
        .await
        .expect("send");
    assert_eq!(res.status().as_u16(), 200);
    let mut lines = 0;
    while let Some(chunk) = res.next().await {
        lines += chunk
            .expect("chunk")
            .iter()
            .filter(|b| **b == b'\n')
            .count();
    }
    let peak = PEAK.load(Ordering::Relaxed).saturating_sub(start);
    (peak, lines - 1)
}

fn seed(app: &TestApp, n: u32) {
    let mut conn = app.state.pool.get().expect("conn");
    devfund::seed::synthetic(&mut conn, &app.state.catalogue, n).expect("synthetic");
}

/// Projects of the smaller export: two pages.
const N: u32 = 2_000;

db_test!(
    a_csv_export_holds_no_more_memory_for_four_times_the_rows,
    |app| {
        seed(&app, N);
        // A first export warms what stays (statement caches, the pool's connections).
        peak_of_export(&app).await;
        let (small, rows) = peak_of_export(&app).await;
        assert_eq!(rows, N as usize + 9);
        seed(&app, 4 * N);
        let (large, rows) = peak_of_export(&app).await;
        assert_eq!(rows, 4 * N as usize + 9);
        eprintln!(
            "{}: peak heap over an export of {} projects: {small} bytes; of {}: {large} bytes",
            app.backend_name,
            N + 9,
            4 * N + 9
        );
        // Four times the rows, six more pages: the peak may move by noise, never by pages.
        let limit = small + small / 4;
        assert!(
            large <= limit,
            "the export's peak grew from {small} to {large} bytes with four times the rows"
        );
    }
);
