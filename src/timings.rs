//! Phase timings for profiling a run: with `VOLTE_TIMINGS=1` in the
//! environment, each phase of `volte check` prints its wall time to stderr,
//! with the resident memory at its end and the peak so far.
//! Nothing is measured or printed otherwise.

use std::sync::OnceLock;
use std::time::Instant;

fn enabled() -> bool {
    static ENABLED: OnceLock<bool> = OnceLock::new();
    *ENABLED.get_or_init(|| std::env::var_os("VOLTE_TIMINGS").is_some_and(|v| v != "0"))
}

/// A running phase: prints its name and elapsed time when it is dropped.
pub struct Phase {
    name: &'static str,
    start: Option<Instant>,
}

/// Starts timing `name`.
pub fn phase(name: &'static str) -> Phase {
    Phase {
        name,
        start: enabled().then(Instant::now),
    }
}

/// The process's resident memory now and at its peak, where the system tells
/// it (Linux), for the end of a phase.
fn memory() -> String {
    let Ok(status) = std::fs::read_to_string("/proc/self/status") else {
        return String::new();
    };
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().strip_suffix("kB"))
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map_or(0, |kb| kb / 1024)
    };
    format!(
        "   rss {:5} MB   peak {:5} MB",
        field("VmRSS:"),
        field("VmHWM:")
    )
}

impl Drop for Phase {
    fn drop(&mut self) {
        if let Some(start) = self.start {
            eprintln!(
                "timing: {:<10} {:8.1} ms{}",
                self.name,
                start.elapsed().as_secs_f64() * 1e3,
                memory()
            );
        }
    }
}
