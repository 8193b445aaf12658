//! Pure name functions shared by the derive's runtime and the renderers.
//!
//! Protobuf derives several names from others (JSON names from field names,
//! map entry messages from map field names). Where protoc has an algorithm,
//! the functions here copy it exactly, because a name that differs from
//! protoc's by one letter silently breaks JSON interop or descriptor
//! equality. Where protoc has none (enum value prefixes, default packages
//! and file paths), they follow the conventions of the Buf style guide.

/// The JSON name protoc gives a field: underscores are dropped and the letter
/// after each underscore is upper-cased.
///
/// This is protoc's `ToJsonName` exactly, quirks included: the first letter
/// is left as it is (`Foo_bar` gives `FooBar`), letters after digits are not
/// capitalised (`field_1a` gives `field1a`), runs of underscores count as one,
/// and a trailing underscore is dropped. Only ASCII letters change case.
///
/// ```text
/// user_id      -> userId
/// http2_port   -> http2Port
/// _private     -> Private
/// ```
pub fn lower_camel(snake: &str) -> String {
    let mut out = String::with_capacity(snake.len());
    let mut upper_next = false;
    for ch in snake.chars() {
        if ch == '_' {
            upper_next = true;
        } else if upper_next {
            out.push(ch.to_ascii_uppercase());
            upper_next = false;
        } else {
            out.push(ch);
        }
    }
    out
}

/// PascalCase of a snake_case name: underscores are dropped and the first
/// letter, as well as every letter after an underscore, is upper-cased.
///
/// This is the algorithm protoc uses for map entry messages
/// (`map<..> word_counts` declares `WordCountsEntry`), so the renderers use it
/// for those; it also turns Rust method names into proto method names
/// (`get_recommendations` gives `GetRecommendations`). Names that are
/// already PascalCase come back unchanged; letters after digits keep their
/// case (`v2_beta` gives `V2Beta`, `http2port` gives `Http2port`).
pub fn pascal_case(snake: &str) -> String {
    let mut out = String::with_capacity(snake.len());
    let mut upper_next = true;
    for ch in snake.chars() {
        if ch == '_' {
            upper_next = true;
        } else if upper_next {
            out.push(ch.to_ascii_uppercase());
            upper_next = false;
        } else {
            out.push(ch);
        }
    }
    out
}

/// SCREAMING_SNAKE_CASE of a PascalCase (or camelCase, or snake_case) name,
/// used as the prefix of enum value names (`StatusCode` gives
/// `STATUS_CODE`, so its values are `STATUS_CODE_OK`, ...).
///
/// A word boundary, where an underscore is inserted, is an upper-case letter
/// that follows a lower-case letter or a digit (`StatusCode`, `V2Beta`), or
/// the last capital of an acronym when a lower-case letter follows it
/// (`HTTPVersion` gives `HTTP_VERSION`). Digits stick to the word before them
/// (`Http2Settings` gives `HTTP2_SETTINGS`). Existing underscores are kept and
/// never doubled.
pub fn screaming_snake(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::with_capacity(name.len() + name.len() / 2);
    for (i, &ch) in chars.iter().enumerate() {
        if ch.is_ascii_uppercase() && i > 0 {
            let prev = chars.get(i - 1).copied().unwrap_or('_');
            let next = chars.get(i + 1).copied();
            let after_word = prev.is_ascii_lowercase() || prev.is_ascii_digit();
            let acronym_end =
                prev.is_ascii_uppercase() && next.is_some_and(|c| c.is_ascii_lowercase());
            if (after_word || acronym_end) && !out.ends_with('_') {
                out.push('_');
            }
        }
        out.push(ch.to_ascii_uppercase());
    }
    out
}

/// The package a service gets when it does not declare one:
/// the service name without a trailing `Service`, lower-cased, with `.v1`
/// appended (`RecommendationService` gives `recommendation.v1`,
/// `PartnerConnectService` gives `partnerconnect.v1`).
///
/// A service named just `Service` keeps its whole name (`service.v1`) rather
/// than ending up with an empty first segment.
pub fn default_package_for_service(service: &str) -> String {
    let stem = match service.strip_suffix("Service") {
        Some(stem) if !stem.is_empty() => stem,
        _ => service,
    };
    format!("{}.v1", stem.to_lowercase())
}

/// Whether a package segment is a version in the Buf style guide's sense:
/// `v1`, `v2`, `v1alpha`, `v1beta1`, `v1p1beta1`, `v1test`, `v2test1`.
pub fn is_version_segment(segment: &str) -> bool {
    let Some(rest) = segment.strip_prefix('v') else {
        return false;
    };
    let rest = strip_digits(rest, true);
    let Some(rest) = rest else {
        return false;
    };
    if rest.is_empty() {
        return true;
    }
    // `p<N>` point releases come before an optional stability suffix.
    let rest = match rest.strip_prefix('p') {
        Some(after_p) => match strip_digits(after_p, true) {
            Some(after) => after,
            None => return false,
        },
        None => rest,
    };
    if rest.is_empty() {
        return true;
    }
    for stability in ["alpha", "beta", "test"] {
        if let Some(after) = rest.strip_prefix(stability) {
            return strip_digits(after, false) == Some("");
        }
    }
    false
}

/// Strips leading ASCII digits. With `required`, at least one digit must be
/// there (`None` otherwise).
fn strip_digits(s: &str, required: bool) -> Option<&str> {
    let rest = s.trim_start_matches(|c: char| c.is_ascii_digit());
    if required && rest.len() == s.len() {
        None
    } else {
        Some(rest)
    }
}

/// The conventional path of the `.proto` file for a package (Buf style):
/// one directory per package segment, and a file named after the last
/// segment that is not a version (see [`is_version_segment`]).
///
/// ```text
/// connectrpc.conformance.v1 -> connectrpc/conformance/v1/conformance.proto
/// acme.billing              -> acme/billing/billing.proto
/// ```
///
/// A package made only of versions (`v1`) uses its last segment
/// (`v1/v1.proto`), since there is no better name and the path stays
/// unique. The empty package and packages with an empty segment (`a..b`,
/// `.a`) have no path and give `None`: callers must reject them.
pub fn file_path_for_package(package: &str) -> Option<String> {
    if package.is_empty() {
        return None;
    }
    let segments: Vec<&str> = package.split('.').collect();
    if segments.iter().any(|s| s.is_empty()) {
        return None;
    }
    let stem = segments
        .iter()
        .rev()
        .find(|s| !is_version_segment(s))
        .or(segments.last())?;
    Some(format!("{}/{stem}.proto", segments.join("/")))
}

/// The name of the message protoc synthesises for a map field
/// (`word_counts` gives `WordCountsEntry`).
pub fn map_entry_name(field: &str) -> String {
    let mut name = pascal_case(field);
    name.push_str("Entry");
    name
}

/// The name of the synthetic oneof that holds a proto3 `optional` field:
/// `_` and the field name, or `X` and the field name when that already
/// starts with an underscore (protoc's and protox's rule for the names they
/// generate without conflicts).
pub fn synthetic_oneof_name(field: &str) -> String {
    if field.starts_with('_') {
        format!("X{field}")
    } else {
        format!("_{field}")
    }
}

/// Whether `name` is a protobuf identifier: an ASCII letter or underscore,
/// then ASCII letters, digits and underscores.
pub fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    match chars.next() {
        Some(c) if c.is_ascii_alphabetic() || c == '_' => {}
        _ => return false,
    }
    chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Whether `name` is a dot-separated sequence of identifiers
/// (`acme.billing.v1`, `Outer.Inner`).
pub fn is_dotted_identifier(name: &str) -> bool {
    !name.is_empty() && name.split('.').all(is_identifier)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lower_camel_matches_protoc() {
        let cases = [
            ("user_id", "userId"),
            ("id", "id"),
            ("already_camelCase", "alreadyCamelCase"),
            ("http2_port", "http2Port"),
            ("field_1a", "field1a"),
            ("foo__bar", "fooBar"),
            ("trailing_", "trailing"),
            ("_leading", "Leading"),
            ("Foo_bar", "FooBar"),
            ("a_b_c", "aBC"),
            ("", ""),
            ("x_é", "xé"),
        ];
        for (input, expected) in cases {
            assert_eq!(lower_camel(input), expected, "lower_camel({input:?})");
        }
    }

    #[test]
    fn pascal_case_matches_protoc_map_entry_names() {
        let cases = [
            ("get_recommendations", "GetRecommendations"),
            ("word_counts", "WordCounts"),
            ("counts", "Counts"),
            ("Already", "Already"),
            ("GetUser", "GetUser"),
            ("v2_beta", "V2Beta"),
            ("http2port", "Http2port"),
            ("a__b", "AB"),
            ("_x", "X"),
            ("", ""),
        ];
        for (input, expected) in cases {
            assert_eq!(pascal_case(input), expected, "pascal_case({input:?})");
        }
    }

    #[test]
    fn screaming_snake_splits_words_and_acronyms() {
        let cases = [
            ("StatusCode", "STATUS_CODE"),
            ("Color", "COLOR"),
            ("HTTPVersion", "HTTP_VERSION"),
            ("HttpVersion", "HTTP_VERSION"),
            ("Http2Settings", "HTTP2_SETTINGS"),
            ("V2Beta", "V2_BETA"),
            ("ID", "ID"),
            ("UserID", "USER_ID"),
            ("camelCase", "CAMEL_CASE"),
            ("already_snake", "ALREADY_SNAKE"),
            ("Snake_Case", "SNAKE_CASE"),
            ("A", "A"),
            ("", ""),
        ];
        for (input, expected) in cases {
            assert_eq!(
                screaming_snake(input),
                expected,
                "screaming_snake({input:?})"
            );
        }
    }

    #[test]
    fn default_package_strips_service_suffix() {
        assert_eq!(
            default_package_for_service("RecommendationService"),
            "recommendation.v1"
        );
        assert_eq!(
            default_package_for_service("PartnerConnectService"),
            "partnerconnect.v1"
        );
        assert_eq!(default_package_for_service("Greeter"), "greeter.v1");
        assert_eq!(default_package_for_service("Service"), "service.v1");
        assert_eq!(default_package_for_service("ServiceService"), "service.v1");
    }

    #[test]
    fn version_segments() {
        for yes in [
            "v1",
            "v2",
            "v10",
            "v1alpha",
            "v1alpha1",
            "v1beta2",
            "v1p1beta1",
            "v1p2",
            "v1test",
            "v2test3",
        ] {
            assert!(is_version_segment(yes), "{yes} is a version");
        }
        for no in [
            "v",
            "va",
            "version",
            "conformance",
            "v1x",
            "v1alpha1x",
            "vp1",
            "v1p",
            "V1",
            "1",
        ] {
            assert!(!is_version_segment(no), "{no} is not a version");
        }
    }

    #[test]
    fn file_paths_follow_buf_layout() {
        assert_eq!(
            file_path_for_package("connectrpc.conformance.v1").as_deref(),
            Some("connectrpc/conformance/v1/conformance.proto")
        );
        assert_eq!(
            file_path_for_package("recommendation.v1").as_deref(),
            Some("recommendation/v1/recommendation.proto")
        );
        assert_eq!(
            file_path_for_package("acme.billing").as_deref(),
            Some("acme/billing/billing.proto")
        );
        assert_eq!(
            file_path_for_package("acme.api.v1beta1").as_deref(),
            Some("acme/api/v1beta1/api.proto")
        );
        assert_eq!(
            file_path_for_package("acme.v1.v2").as_deref(),
            Some("acme/v1/v2/acme.proto")
        );
        assert_eq!(
            file_path_for_package("solo").as_deref(),
            Some("solo/solo.proto")
        );
        // All versions: the last segment names the file.
        assert_eq!(file_path_for_package("v1").as_deref(), Some("v1/v1.proto"));
        assert_eq!(
            file_path_for_package("v1.v2").as_deref(),
            Some("v1/v2/v2.proto")
        );
        // No path for the empty package or empty segments.
        assert_eq!(file_path_for_package(""), None);
        assert_eq!(file_path_for_package("a..b"), None);
        assert_eq!(file_path_for_package(".a"), None);
        assert_eq!(file_path_for_package("a."), None);
    }

    #[test]
    fn derived_names() {
        assert_eq!(map_entry_name("word_counts"), "WordCountsEntry");
        assert_eq!(map_entry_name("counts"), "CountsEntry");
        assert_eq!(synthetic_oneof_name("limit"), "_limit");
        assert_eq!(synthetic_oneof_name("_limit"), "X_limit");
    }

    #[test]
    fn identifiers() {
        assert!(is_identifier("foo"));
        assert!(is_identifier("_foo1"));
        assert!(is_identifier("Foo_Bar"));
        assert!(!is_identifier(""));
        assert!(!is_identifier("1foo"));
        assert!(!is_identifier("foo-bar"));
        assert!(!is_identifier("foo.bar"));
        assert!(!is_identifier("fé"));
        assert!(is_dotted_identifier("a.b.v1"));
        assert!(is_dotted_identifier("Outer.Inner"));
        assert!(!is_dotted_identifier(""));
        assert!(!is_dotted_identifier("a..b"));
        assert!(!is_dotted_identifier("a.b."));
        assert!(!is_dotted_identifier("a.1b"));
    }
}
