//! proto3 JSON, rule by rule, with the exact text expected. The oracle
//! tests compare with prost-reflect on random values; these pin the
//! canonical forms and the input rules one at a time.

mod common;

use common::*;
use typerpc::{
    Any, Duration, Empty, JsonOptions, ListValue, Message, Struct, Timestamp, TypeRegistry, Value,
};

fn scalars() -> Scalars {
    Scalars {
        f_double: f64::NAN,
        f_float: f32::NEG_INFINITY,
        f_int32: -5,
        f_int64: -9_007_199_254_740_993,
        f_uint32: 7,
        f_uint64: u64::MAX,
        f_sint32: 0,
        f_sint64: 3,
        f_fixed32: 0,
        f_fixed64: 0,
        f_sfixed32: 0,
        f_sfixed64: 0,
        f_bool: true,
        f_string: "é\"\n".into(),
        f_bytes: vec![0xfb, 0xff, 0x00],
        f_color: Color::Green,
    }
}

#[test]
fn canonical_output_of_scalars() {
    assert_eq!(
        scalars().to_json().unwrap(),
        r#"{"fDouble":"NaN","fFloat":"-Infinity","fInt32":-5,"fInt64":"-9007199254740993","fUint32":7,"fUint64":"18446744073709551615","fSint64":"3","fBool":true,"fString":"é\"\n","fBytes":"+/8A","fColor":"COLOR_GREEN"}"#
    );
}

#[test]
fn defaults_are_omitted_unless_asked_for() {
    let empty = Scalars::default();
    assert_eq!(empty.to_json().unwrap(), "{}");
    let all = empty
        .to_json_with(&JsonOptions::default().with_emit_defaults(true))
        .unwrap();
    assert!(
        all.starts_with(r#"{"fDouble":0,"fFloat":0,"fInt32":0,"fInt64":"0""#),
        "{all}"
    );
    assert!(
        all.contains(r#""fString":"","fBytes":"","fColor":"COLOR_UNSPECIFIED""#),
        "{all}"
    );
    // Fields with presence are never invented.
    assert_eq!(
        Optionals::default()
            .to_json_with(&JsonOptions::default().with_emit_defaults(true))
            .unwrap(),
        "{}"
    );
}

#[test]
fn presence_is_kept_for_optional_fields() {
    let zeroes = Optionals {
        o_int32: Some(0),
        o_string: Some(String::new()),
        o_color: Some(Color::Unspecified),
        ..Default::default()
    };
    let json = zeroes.to_json().unwrap();
    assert_eq!(
        json,
        r#"{"oInt32":0,"oString":"","oColor":"COLOR_UNSPECIFIED"}"#
    );
    assert_eq!(Optionals::from_json(&json).unwrap(), zeroes);
    assert_eq!(
        Optionals::decode(&zeroes.encode_to_vec()[..]).unwrap(),
        zeroes
    );
}

#[test]
fn input_accepts_every_form_the_mapping_allows() {
    let parsed = Scalars::from_json(
        r#"{
            "f_double": "1.5", "fFloat": 2, "fInt32": "12", "fInt64": 1e3, "f_uint64": "5",
            "fSint32": -0, "fBool": false, "fString": null, "fBytes": "-_8A", "fColor": 6
        }"#,
    )
    .unwrap();
    assert_eq!(parsed.f_double, 1.5);
    assert_eq!(parsed.f_float, 2.0);
    assert_eq!(parsed.f_int32, 12);
    assert_eq!(parsed.f_int64, 1000);
    assert_eq!(parsed.f_uint64, 5);
    assert_eq!(parsed.f_string, "");
    assert_eq!(parsed.f_bytes, vec![0xfb, 0xff, 0x00]);
    assert_eq!(parsed.f_color, Color::Blue);
    // null means "default" for every kind of field.
    let nulls = Everything::from_json(
        r#"{"scalars": null, "repeats": {"rInt32": null}, "maps": {"byName": null}}"#,
    )
    .unwrap();
    assert_eq!(nulls.scalars, None);
    assert_eq!(nulls.repeats.unwrap().r_int32, Vec::<i32>::new());
}

#[test]
fn input_rejects_what_the_mapping_forbids() {
    for (json, needle) in [
        (r#"{"fInt32": 1.5}"#, "fInt32"),
        (r#"{"fInt32": 3000000000}"#, "fInt32"),
        (r#"{"fUint32": -1}"#, "fUint32"),
        (r#"{"fColor": "PURPLE"}"#, "fColor"),
        (r#"{"fColor": 99}"#, "fColor"),
        (r#"{"fBytes": "***"}"#, "fBytes"),
        (r#"{"fBool": "true"}"#, "fBool"),
        (r#"{"fString": 5}"#, "fString"),
        (r#"{"unknown": 5}"#, "unknown"),
        (r#"{"fInt32": 1"#, ""),
        (r#"{"fInt32": 1} x"#, ""),
    ] {
        let err = Scalars::from_json(json).expect_err(json);
        assert!(err.to_string().contains(needle), "{json}: {err}");
    }
    let err = WithOneof::from_json(r#"{"radius": 1, "label": "x"}"#).unwrap_err();
    assert!(err.to_string().contains("oneof"), "{err}");
}

#[test]
fn oneof_members_are_keyed_by_their_own_names() {
    let value = WithOneof {
        id: "a".into(),
        shape: Some(Shape::Code(7)),
        after: 1,
        explicit: String::new(),
    };
    let json = value.to_json().unwrap();
    assert_eq!(json, r#"{"id":"a","code":"7","after":1}"#);
    assert_eq!(WithOneof::from_json(&json).unwrap(), value);
    // A member holding its default is still written: the oneof is set.
    let zero = WithOneof {
        shape: Some(Shape::Radius(0.0)),
        ..WithOneof::default()
    };
    assert_eq!(zero.to_json().unwrap(), r#"{"radius":0}"#);
}

#[test]
fn well_known_types_have_their_canonical_forms() {
    let registry = TypeRegistry::new().with::<Leaf>();
    let options = JsonOptions::default().with_registry(registry);
    let value = WellKnown {
        at: Some(Timestamp::new(0, 10_000_000)),
        took: Some(Duration::new(-1, -500_000_000)),
        meta: Some(Struct::try_from(serde_json::json!({"k": [1, "x", null]})).unwrap()),
        anything: Some(Value::Bool(true)),
        list: Some(ListValue {
            values: vec![Value::Null],
        }),
        packed: Some(Any::pack(&Leaf {
            name: "n".into(),
            weight: 2,
        })),
        nothing: Some(Empty {}),
        times: vec![Timestamp::new(1, 0)],
    };
    let json = value.to_json_with(&options).unwrap();
    assert_eq!(
        json,
        r#"{"at":"1970-01-01T00:00:00.010Z","took":"-1.500s","meta":{"k":[1,"x",null]},"anything":true,"list":[null],"packed":{"@type":"type.googleapis.com/typerpc.test.v1.Leaf","name":"n","weight":"2"},"nothing":{},"times":["1970-01-01T00:00:01Z"]}"#
    );
    assert_eq!(
        WellKnown::from_json_with(json.as_bytes(), &options).unwrap(),
        value
    );
    // A well-known type inside Any sits under "value"; @type may come last.
    let any = Any::from_json(
        r#"{"value": "1s", "@type": "type.googleapis.com/google.protobuf.Duration"}"#,
    )
    .unwrap();
    assert_eq!(any.unpack::<Duration>().unwrap(), Some(Duration::new(1, 0)));
    // An Any of a type nobody registered is an error, not a guess.
    let err = value.to_json().unwrap_err();
    assert!(err.to_string().contains("typerpc.test.v1.Leaf"), "{err}");
    // Timestamps outside protobuf's range have no JSON form.
    let bad = WellKnown {
        at: Some(Timestamp::new(i64::MAX, 0)),
        ..WellKnown::default()
    };
    assert!(bad.to_json().is_err());
}

#[test]
fn null_is_a_value_for_google_protobuf_value() {
    let parsed = WellKnown::from_json(r#"{"anything": null, "list": [null, 1]}"#).unwrap();
    assert_eq!(parsed.anything, Some(Value::Null));
    assert_eq!(
        parsed.list.unwrap().values,
        vec![Value::Null, Value::Number(1.0)]
    );
}
