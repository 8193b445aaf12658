//! The string formats: `email`, `uri`, `uuid`, `hostname`, `ip`, `ipv4`,
//! `ipv6`. Each is a plain function from `&str` to `bool`, usable on its
//! own (in a `validate_with` function, say).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// An email address as HTML forms accept it (`local@host`, where the local
/// part uses letters, digits and ``.!#$%&'*+/=?^_`{|}~-`` and the host is a
/// [`hostname`]).
///
/// ```
/// assert!(typerpc::validate::formats::email("ada@example.com"));
/// assert!(!typerpc::validate::formats::email("ada@"));
/// ```
pub fn email(s: &str) -> bool {
    let Some((local, host)) = s.rsplit_once('@') else {
        return false;
    };
    !local.is_empty()
        && local.len() <= 64
        && local
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+/=?^_`{|}~.-".contains(&b))
        && hostname(host)
}

/// A host name as RFC 1123 allows: dot-separated labels of letters, digits
/// and inner hyphens, 1 to 63 characters each, 253 in all; the last label
/// is not all digits.
pub fn hostname(s: &str) -> bool {
    if s.is_empty() || s.len() > 253 {
        return false;
    }
    let mut last = "";
    for label in s.split('.') {
        let bytes = label.as_bytes();
        if bytes.is_empty()
            || bytes.len() > 63
            || bytes[0] == b'-'
            || bytes[bytes.len() - 1] == b'-'
            || !bytes
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || *b == b'-')
        {
            return false;
        }
        last = label;
    }
    !last.bytes().all(|b| b.is_ascii_digit())
}

/// A UUID in its canonical text form (`8-4-4-4-12` hexadecimal digits, any
/// case).
pub fn uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// An IPv4 or IPv6 address.
pub fn ip(s: &str) -> bool {
    s.parse::<IpAddr>().is_ok()
}

/// An IPv4 address in dotted decimal.
pub fn ipv4(s: &str) -> bool {
    s.parse::<Ipv4Addr>().is_ok()
}

/// An IPv6 address.
pub fn ipv6(s: &str) -> bool {
    s.parse::<Ipv6Addr>().is_ok()
}

/// An absolute URI (RFC 3986): a scheme, `:`, and the rest made of the
/// characters a URI allows, with well-formed `%` escapes; when it has an
/// authority (`scheme://`), the host is not empty.
///
/// ```
/// assert!(typerpc::validate::formats::uri("https://example.com/a?b=c#d"));
/// assert!(!typerpc::validate::formats::uri("/relative/path"));
/// ```
pub fn uri(s: &str) -> bool {
    let Some((scheme, rest)) = s.split_once(':') else {
        return false;
    };
    let mut scheme_bytes = scheme.bytes();
    if !scheme_bytes.next().is_some_and(|b| b.is_ascii_alphabetic())
        || !scheme_bytes.all(|b| b.is_ascii_alphanumeric() || b"+.-".contains(&b))
    {
        return false;
    }
    if let Some(after) = rest.strip_prefix("//") {
        let authority = after.split(['/', '?', '#']).next().unwrap_or("");
        let host = authority.rsplit('@').next().unwrap_or("");
        if host.is_empty() || host.starts_with(':') {
            return false;
        }
    }
    let bytes = rest.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'%' {
            if !(bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit))
            {
                return false;
            }
            i += 3;
            continue;
        }
        if !(b.is_ascii_alphanumeric() || b"-._~:/?#[]@!$&'()*+,;=".contains(&b)) {
            return false;
        }
        i += 1;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert!(email("a.b+c@mail.example.org"));
        assert!(!email("a b@example.org"));
        assert!(!email("a@b@example.org"));
        assert!(!email("@example.org"));
        assert!(hostname("example.com"));
        assert!(hostname("localhost"));
        assert!(!hostname("-a.com"));
        assert!(!hostname("a..com"));
        assert!(!hostname("1.2.3.4"));
        assert!(uuid("123e4567-e89b-12d3-a456-426614174000"));
        assert!(!uuid("123e4567e89b12d3a456426614174000"));
        assert!(ip("::1") && ip("10.0.0.1") && !ip("10.0.0.256"));
        assert!(ipv4("10.0.0.1") && !ipv4("::1"));
        assert!(ipv6("::1") && !ipv6("10.0.0.1"));
        assert!(uri("https://example.com/a%20b?q=1#f"));
        assert!(uri("urn:isbn:0451450523"));
        assert!(!uri("https://"));
        assert!(!uri("https://ex ample.com"));
        assert!(!uri("http://x/%zz"));
        assert!(!uri("http://x/%2"));
        assert!(!uri("1http://x"));
    }
}
