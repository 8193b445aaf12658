//! Skipping values: unknown fields, and look-ahead such as finding the
//! `@type` of a `google.protobuf.Any`.

use super::{JsonError, JsonParser};

impl JsonParser<'_> {
    /// Reads and discards one value of any kind, checking that it is valid
    /// JSON within the nesting limit.
    ///
    /// The walk is a loop with an explicit stack of open containers, not
    /// recursion, so no input can overflow the call stack, whatever the
    /// limit.
    pub fn skip_value(&mut self) -> Result<(), JsonError> {
        // The closing bracket of each container entered while skipping.
        let mut open: Vec<u8> = Vec::new();
        loop {
            // A value starts here.
            match self.skip_whitespace() {
                Some(b @ (b'{' | b'[')) => {
                    let close = if b == b'{' { b'}' } else { b']' };
                    if self.depth as usize + open.len() >= self.max_depth as usize {
                        return Err(self.too_deep());
                    }
                    self.pos += 1;
                    if self.skip_whitespace() == Some(close) {
                        self.pos += 1;
                    } else {
                        if close == b'}' {
                            self.member_name()?;
                        }
                        open.push(close);
                        continue;
                    }
                }
                Some(b'"') => {
                    self.string_token()?;
                }
                Some(b'-' | b'0'..=b'9') => self.skip_number()?,
                _ => {
                    if !(self.eat(b"null") || self.eat(b"true") || self.eat(b"false")) {
                        return Err(self.unexpected("a JSON value"));
                    }
                }
            }
            // A value ended: close the containers it completes, then find
            // the start of the next value, if any.
            loop {
                let Some(&close) = open.last() else {
                    return Ok(());
                };
                match self.skip_whitespace() {
                    Some(b',') => {
                        self.pos += 1;
                        if close == b'}' {
                            self.skip_whitespace();
                            self.member_name()?;
                        }
                        break;
                    }
                    Some(b) if b == close => {
                        self.pos += 1;
                        open.pop();
                    }
                    _ if close == b'}' => {
                        return Err(self.unexpected("',' or '}' after an object member"))
                    }
                    _ => return Err(self.unexpected("',' or ']' after an array element")),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::message::json::{JsonOptions, JsonParser};

    fn skip(json: &str) -> Result<usize, String> {
        let options = JsonOptions::default();
        let mut p = JsonParser::new(json.as_bytes(), &options);
        p.skip_value().map_err(|e| e.to_string())?;
        let offset = p.offset();
        p.finish().map_err(|e| e.to_string())?;
        Ok(offset)
    }

    #[test]
    fn skip_value_validates_and_stops_after_the_value() {
        let json = r#" {"a":[1,-2.5e3,"s\"",true,false,null,{},[],{"b":{"c":[[]]}}],"d":""} "#;
        let options = JsonOptions::default();
        let mut p = JsonParser::new(json.as_bytes(), &options);
        p.skip_value().unwrap();
        assert_eq!(p.offset(), json.len() - 1);
        p.finish().unwrap();
        assert_eq!(skip("[1,2] "), Ok(5));
        let bad = [
            "",
            "[",
            "]",
            "{",
            "}",
            "[1,]",
            "[,]",
            "{\"a\"}",
            "{\"a\":}",
            "{\"a\":1,}",
            "{1:2}",
            "[1 2]",
            "{\"a\":1 \"b\":2}",
            "[}",
            "{]",
            "tru",
            "nulL",
            "01",
            "1.",
            "-",
            ".5",
            "+1",
            "\"abc",
            "[\"a\\x\"]",
            "NaN",
            "[1]]",
            "{\"a\":[}",
            "[[1]",
        ];
        for json in bad {
            assert!(skip(json).is_err(), "{json:?} should be rejected");
        }
    }

    #[test]
    fn skipping_is_iterative_and_limited() {
        let deep = |depth: usize| format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        assert!(skip(&deep(100)).is_ok());
        let e = skip(&deep(100_000)).unwrap_err();
        assert!(
            e.contains("nest deeper than the limit of 100 levels"),
            "{e}"
        );
        let objects = format!("{}1{}", r#"{"a":"#.repeat(100_000), "}".repeat(100_000));
        assert!(skip(&objects).unwrap_err().contains("nest deeper"));
        // With no effective limit the stack still cannot overflow.
        let options = JsonOptions {
            max_depth: u32::MAX,
            ..JsonOptions::default()
        };
        let json = deep(1_000_000);
        let mut p = JsonParser::new(json.as_bytes(), &options);
        assert_eq!(p.skip_value(), Ok(()));
        assert_eq!(p.offset(), json.len());
    }

    #[test]
    fn error_paths_are_those_of_the_skipped_value() {
        let options = JsonOptions::default();
        let mut p = JsonParser::new(br#"{"a":{"b":[1,}]}"#, &options);
        let e = p.object(|p, _| p.skip_value()).unwrap_err();
        assert_eq!(
            (e.path(), e.message()),
            ("a", "expected a JSON value, found '}'")
        );
        assert_eq!(e.offset(), 13);
    }
}
