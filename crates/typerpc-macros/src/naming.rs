//! Name conversions done at compile time. `typerpc::schema::naming` has the
//! runtime twins; both follow protoc's rules and are tested against them.

/// protoc's JSON name: underscores dropped, the next letter upper-cased.
pub fn lower_camel(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut upper_next = false;
    for c in name.chars() {
        if c == '_' {
            upper_next = true;
        } else if upper_next {
            out.extend(c.to_uppercase());
            upper_next = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// `ResponseData` -> `response_data`; `HTTPVersion` -> `http_version`.
pub fn snake_case(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::with_capacity(name.len() + 4);
    for (i, &c) in chars.iter().enumerate() {
        if c.is_uppercase() {
            let prev = i.checked_sub(1).map(|p| chars[p]);
            let next = chars.get(i + 1).copied();
            let boundary = match prev {
                None | Some('_') => false,
                Some(p) if p.is_lowercase() || p.is_ascii_digit() => true,
                // An acronym ends where an upper-case letter starts a word.
                Some(p) if p.is_uppercase() => next.is_some_and(char::is_lowercase),
                _ => false,
            };
            if boundary {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// `HTTPVersion` -> `HTTP_VERSION`.
pub fn screaming_snake(name: &str) -> String {
    snake_case(name).to_uppercase()
}

/// `get_recommendations` -> `GetRecommendations`.
pub fn pascal_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut upper_next = true;
    for c in name.chars() {
        if c == '_' {
            upper_next = true;
        } else if upper_next {
            out.extend(c.to_uppercase());
            upper_next = false;
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_names_follow_protoc() {
        assert_eq!(lower_camel("user_id"), "userId");
        assert_eq!(lower_camel("a_b_c"), "aBC");
        assert_eq!(lower_camel("already"), "already");
        assert_eq!(lower_camel("x__y"), "xY");
    }

    #[test]
    fn snake_and_screaming() {
        assert_eq!(snake_case("ResponseData"), "response_data");
        assert_eq!(snake_case("HTTPVersion"), "http_version");
        assert_eq!(snake_case("Code"), "code");
        assert_eq!(screaming_snake("StatusCode"), "STATUS_CODE");
        assert_eq!(screaming_snake("Http1"), "HTTP1");
        assert_eq!(pascal_case("get_recommendations"), "GetRecommendations");
    }
}
