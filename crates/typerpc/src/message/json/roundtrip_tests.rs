//! Property tests across the writer and the parser: what the writer emits
//! parses back to the same values, serde_json reads the same text the same
//! way, and no input makes the parser panic.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use proptest::prelude::*;
use serde_json::Value;

use super::{JsonError, JsonKind, JsonOptions, JsonParser, JsonWriter};

/// One value of each kind the writer has a method for.
#[derive(Clone, Debug)]
enum Item {
    Str(String),
    Bool(bool),
    I32(i32),
    U32(u32),
    I64(i64),
    U64(u64),
    F64(f64),
    F32(f32),
    Bytes(Vec<u8>),
}

fn item() -> impl Strategy<Value = Item> {
    prop_oneof![
        any::<String>().prop_map(Item::Str),
        "[\\x00-\\x7f\u{80}-\u{7ff}\u{2028}\u{fffe}\u{1f600}]{0,8}".prop_map(Item::Str),
        any::<bool>().prop_map(Item::Bool),
        any::<i32>().prop_map(Item::I32),
        any::<u32>().prop_map(Item::U32),
        any::<i64>().prop_map(Item::I64),
        any::<u64>().prop_map(Item::U64),
        any::<f64>().prop_map(Item::F64),
        prop::num::f64::ANY.prop_map(Item::F64),
        any::<f32>().prop_map(Item::F32),
        prop::collection::vec(any::<u8>(), 0..16).prop_map(Item::Bytes),
    ]
}

fn write_item(w: &mut JsonWriter<'_>, item: &Item) {
    match item {
        Item::Str(s) => w.string(s),
        Item::Bool(b) => w.bool(*b),
        Item::I32(v) => w.i32(*v),
        Item::U32(v) => w.u32(*v),
        Item::I64(v) => w.i64(*v),
        Item::U64(v) => w.u64(*v),
        Item::F64(v) => w.f64(*v),
        Item::F32(v) => w.f32(*v),
        Item::Bytes(v) => w.bytes(v),
    }
}

/// Floats compare by bits, so NaN equals NaN and -0 differs from 0.
fn read_and_check(p: &mut JsonParser<'_>, item: &Item) -> Result<(), JsonError> {
    let same = match item {
        Item::Str(s) => p.string()? == s.as_str(),
        Item::Bool(b) => p.bool()? == *b,
        Item::I32(v) => p.i32()? == *v,
        Item::U32(v) => p.u32()? == *v,
        Item::I64(v) => p.i64()? == *v,
        Item::U64(v) => p.u64()? == *v,
        Item::F64(v) => p.f64()?.to_bits() == v.to_bits() || v.is_nan(),
        Item::F32(v) => p.f32()?.to_bits() == v.to_bits() || v.is_nan(),
        Item::Bytes(v) => p.bytes()? == *v,
    };
    if same {
        Ok(())
    } else {
        Err(p.error(format!("read back a different value than {item:?}")))
    }
}

/// Checks serde_json's reading of the writer's text against the item.
fn check_serde(value: &Value, item: &Item) -> bool {
    let non_finite = |nan: bool, negative: bool| match (nan, negative) {
        (true, _) => "NaN",
        (false, false) => "Infinity",
        (false, true) => "-Infinity",
    };
    match item {
        Item::Str(s) => value.as_str() == Some(s),
        Item::Bool(b) => value.as_bool() == Some(*b),
        Item::I32(v) => value.as_i64() == Some(i64::from(*v)),
        Item::U32(v) => value.as_u64() == Some(u64::from(*v)),
        Item::I64(v) => value.as_str() == Some(&v.to_string()),
        Item::U64(v) => value.as_str() == Some(&v.to_string()),
        // serde_json's default float parsing may be off by an ulp or so;
        // exact round trips are checked against our own parser.
        Item::F64(v) if v.is_finite() => value.as_f64().is_some_and(|x| {
            x == *v || (x.signum() == v.signum() && x.to_bits().abs_diff(v.to_bits()) <= 2)
        }),
        // The f32's shortest text, read as an f64, narrows back to it.
        Item::F32(v) if v.is_finite() => value.as_f64().is_some_and(|x| x as f32 == *v),
        Item::F64(v) => value.as_str() == Some(non_finite(v.is_nan(), v.is_sign_negative())),
        Item::F32(v) => value.as_str() == Some(non_finite(v.is_nan(), v.is_sign_negative())),
        Item::Bytes(v) => value.as_str() == Some(&STANDARD.encode(v)),
    }
}

/// Reads any value through the typed methods, choosing one by kind, the
/// way `google.protobuf.Value` does; used to look for panics.
fn read_any(p: &mut JsonParser<'_>) -> Result<(), JsonError> {
    match p.peek_kind()? {
        JsonKind::Null => p.take_null().map(drop),
        JsonKind::Bool => p.bool().map(drop),
        JsonKind::Number => {
            let mut probe = p.clone();
            let _ = probe.i64();
            let _ = p.clone().u32();
            let _ = p.clone().f32();
            p.f64().map(drop)
        }
        JsonKind::String => {
            let _ = p.clone().bytes();
            let _ = p.clone().i32();
            let _ = p.clone().f64();
            p.string().map(drop)
        }
        JsonKind::Array => p.array(read_any),
        JsonKind::Object => p.object(|p, key| {
            if key.len() % 2 == 0 {
                p.unknown_field(key)
            } else {
                read_any(p)
            }
        }),
    }
}

/// Text made mostly of JSON's own characters, to reach deep into the
/// grammar more often than random bytes do.
fn jsonish() -> impl Strategy<Value = Vec<u8>> {
    let pieces = prop::sample::select(vec![
        "{", "}", "[", "]", ",", ":", "\"", "\"a\"", "\\", "\\u", "d83d", "\\ude00", "0", "1", "-",
        ".", "e", "+", "null", "true", "fals", " ", "\n", "é", "\u{1}", "NaN",
    ]);
    prop::collection::vec(pieces, 0..24).prop_map(|p| p.concat().into_bytes())
}

/// A JSON string literal for `s`, each character written raw or as a
/// `\u` escape (a surrogate pair beyond the BMP), as `escape` picks.
fn encode_with_escapes(s: &str, escape: &[bool]) -> String {
    let mut out = String::from("\"");
    for (i, c) in s.chars().enumerate() {
        let forced = c == '"' || c == '\\' || c < ' ';
        if forced || escape.get(i).copied().unwrap_or(false) {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04X}"));
            }
        } else {
            out.push(c);
        }
    }
    out.push('"');
    out
}

proptest! {
    #[test]
    fn written_values_read_back(items in prop::collection::vec(item(), 0..12), emit in any::<bool>()) {
        let options = JsonOptions::default().with_emit_defaults(emit);
        let mut out = Vec::new();
        let mut w = JsonWriter::new(&mut out, &options);
        w.begin_object();
        for (i, item) in items.iter().enumerate() {
            w.key(&format!("k{i}"));
            write_item(&mut w, item);
        }
        w.key("all");
        w.begin_array();
        for item in &items {
            write_item(&mut w, item);
        }
        w.end_array();
        w.end_object();
        prop_assert!(w.take_error().is_none());
        let text = String::from_utf8(out).expect("the writer emits UTF-8");

        let mut p = JsonParser::new(text.as_bytes(), &options);
        let mut members = 0;
        p.object(|p, key| {
            if key == "all" {
                let mut index = 0;
                p.array(|p| {
                    index += 1;
                    read_and_check(p, &items[index - 1])
                })
            } else {
                members += 1;
                read_and_check(p, &items[members - 1])
            }
        }).map_err(|e| TestCaseError::fail(format!("{e} in {text}")))?;
        p.finish().map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(members, items.len());

        let value: Value = serde_json::from_str(&text).map_err(|e| TestCaseError::fail(format!("serde_json: {e} in {text}")))?;
        for (i, item) in items.iter().enumerate() {
            prop_assert!(check_serde(&value[format!("k{i}")], item), "{:?} vs {:?}", value[format!("k{i}")], item);
            prop_assert!(check_serde(&value["all"][i], item));
        }
    }

    #[test]
    fn escaped_strings_match_serde(s in any::<String>(), escape in prop::collection::vec(any::<bool>(), 0..64)) {
        let json = encode_with_escapes(&s, &escape);
        let options = JsonOptions::default();
        let mut p = JsonParser::new(json.as_bytes(), &options);
        let ours = p.string().map(|s| s.into_owned());
        prop_assert_eq!(ours.as_deref(), Ok(s.as_str()));
        let theirs: String = serde_json::from_str(&json).expect("serde_json reads it");
        prop_assert_eq!(theirs, s);
    }

    #[test]
    fn skip_value_agrees_with_serde(input in prop_oneof![jsonish(), prop::collection::vec(any::<u8>(), 0..32)]) {
        let options = JsonOptions::default();
        let mut p = JsonParser::new(&input, &options);
        let ours = p.skip_value().and_then(|()| p.finish());
        match serde_json::from_slice::<Value>(&input) {
            Ok(_) => prop_assert!(ours.is_ok(), "{:?}: {:?}", String::from_utf8_lossy(&input), ours),
            // serde_json rejects numbers beyond f64; the grammar does not.
            Err(e) if e.to_string().contains("out of range") => {}
            Err(e) => prop_assert!(ours.is_err(), "{:?} accepted, serde_json: {}", String::from_utf8_lossy(&input), e),
        }
    }

    #[test]
    fn no_input_panics(input in prop_oneof![jsonish(), prop::collection::vec(any::<u8>(), 0..64)]) {
        let options = JsonOptions::default().with_ignore_unknown_fields(true);
        let mut p = JsonParser::new(&input, &options);
        if read_any(&mut p).is_ok() {
            let _ = p.finish();
        }
        let mut p = JsonParser::new(&input, &options);
        let _ = p.skip_value();
    }

    #[test]
    fn decimal_text_converts_like_the_standard_library(
        negative in any::<bool>(),
        int in "0|[1-9][0-9]{0,24}",
        frac in proptest::option::of("[0-9]{1,25}"),
        exponent in proptest::option::of(-340..340i32),
        quoted in any::<bool>(),
    ) {
        let mut text = format!("{}{int}", if negative { "-" } else { "" });
        if let Some(frac) = frac {
            text.push('.');
            text.push_str(&frac);
        }
        if let Some(e) = exponent {
            text.push_str(&format!("e{e}"));
        }
        let json = if quoted { format!("\"{text}\"") } else { text.clone() };
        let options = JsonOptions::default();
        let wide: f64 = text.parse().expect("valid f64 text");
        let ours = JsonParser::new(json.as_bytes(), &options).f64();
        if wide.is_finite() {
            prop_assert_eq!(ours.map(f64::to_bits), Ok(wide.to_bits()), "{}", text);
        } else {
            prop_assert!(ours.is_err());
        }
        let narrow: f32 = text.parse().expect("valid f32 text");
        let ours = JsonParser::new(json.as_bytes(), &options).f32();
        if narrow.is_finite() {
            prop_assert_eq!(ours.map(f32::to_bits), Ok(narrow.to_bits()), "{}", text);
        } else {
            prop_assert!(ours.is_err());
        }
    }

    #[test]
    fn integers_in_any_form(v in any::<i64>(), form in 0..4u8) {
        let text = match form {
            0 => v.to_string(),
            1 => format!("\"{v}\""),
            2 => format!("{v}.000"),
            _ => format!("\"{v}0e-1\""),
        };
        let options = JsonOptions::default();
        let mut p = JsonParser::new(text.as_bytes(), &options);
        prop_assert_eq!(p.i64(), Ok(v));
        let fits = i32::try_from(v).ok();
        let mut p = JsonParser::new(text.as_bytes(), &options);
        prop_assert_eq!(p.i32().ok(), fits);
        let mut p = JsonParser::new(text.as_bytes(), &options);
        prop_assert_eq!(p.u64().ok(), u64::try_from(v).ok());
    }
}
