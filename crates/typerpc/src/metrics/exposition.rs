//! Which text format a scrape gets. `prometheus-client` writes OpenMetrics,
//! which Prometheus asks for; older tools (`promtool check metrics`, many
//! agents, a person with curl) read only the classic text format 0.0.4.
//! The two differ in three places for the series written here: a
//! counter's `HELP` and `TYPE` lines name it without its `_total` suffix
//! in OpenMetrics and with it in 0.0.4; `# UNIT` lines and the final
//! `# EOF` exist only in OpenMetrics. Everything else (samples, labels,
//! histograms' `_bucket`/`_sum`/`_count`) is written alike, so the classic
//! form is the library's output with those lines adjusted.

/// The content type of OpenMetrics text.
pub(crate) const OPENMETRICS: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";
/// The content type of the classic text format.
pub(crate) const TEXT_004: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Whether a scraper's `Accept` header asks for OpenMetrics.
pub(crate) fn wants_openmetrics(accept: Option<&http::HeaderValue>) -> bool {
    accept
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/openmetrics-text"))
}

/// OpenMetrics text as the classic text format 0.0.4.
pub(crate) fn to_text_004(openmetrics: &str) -> String {
    let mut counters: Vec<&str> = Vec::new();
    for line in openmetrics.lines() {
        if let Some(name) = line
            .strip_prefix("# TYPE ")
            .and_then(|rest| rest.strip_suffix(" counter"))
        {
            counters.push(name);
        }
    }
    let mut out = String::with_capacity(openmetrics.len());
    for line in openmetrics.lines() {
        if line == "# EOF" || line.starts_with("# UNIT ") {
            continue;
        }
        let renamed = ["# HELP ", "# TYPE "].iter().find_map(|prefix| {
            let rest = line.strip_prefix(prefix)?;
            let (name, tail) = rest.split_once(' ').unwrap_or((rest, ""));
            counters
                .contains(&name)
                .then(|| format!("{prefix}{name}_total {tail}"))
        });
        match renamed {
            Some(line) => out.push_str(line.trim_end()),
            None => out.push_str(line),
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_get_their_suffix_and_openmetrics_lines_go() {
        let om = "# HELP calls Calls.\n# TYPE calls counter\ncalls_total{a=\"b\"} 3\n# HELP size Size.\n# TYPE size histogram\n# UNIT size bytes\nsize_sum 1.0\n# EOF\n";
        assert_eq!(
            to_text_004(om),
            "# HELP calls_total Calls.\n# TYPE calls_total counter\ncalls_total{a=\"b\"} 3\n# HELP size Size.\n# TYPE size histogram\nsize_sum 1.0\n"
        );
    }

    #[test]
    fn only_an_accept_naming_openmetrics_gets_it() {
        let prometheus = http::HeaderValue::from_static(
            "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1",
        );
        assert!(wants_openmetrics(Some(&prometheus)));
        assert!(!wants_openmetrics(Some(&http::HeaderValue::from_static(
            "*/*"
        ))));
        assert!(!wants_openmetrics(None));
    }
}
