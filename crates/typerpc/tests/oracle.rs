//! Differential tests against protox and prost-reflect.
//!
//! 1. The `.proto` text we render for a rich set of messages compiles with
//!    protox, and the descriptors we build equal protox's.
//! 2. Random values: our bytes decode with prost-reflect (on the
//!    protox-compiled descriptors) and re-encode to bytes we decode to the
//!    same value; our JSON equals prost-reflect's canonical JSON and both
//!    parse back to the same value.

mod common;

use std::collections::{BTreeMap, HashMap};

use common::oracle;
use common::*;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use prost_reflect::{DynamicMessage, SerializeOptions};
use typerpc::schema::{SchemaBuilder, SchemaSet};
use typerpc::{
    Any, Duration, Empty, JsonOptions, ListValue, Message, Struct, Timestamp, TypeRegistry, Value,
};

fn schema() -> SchemaSet {
    let mut builder = SchemaBuilder::new();
    builder.add_message(Everything::schema());
    builder.build().expect("schema")
}

#[test]
fn rendered_proto_compiles_and_descriptors_match_protox() {
    let set = schema();
    let compiled = oracle::compile(&set);
    let ours = set
        .files()
        .iter()
        .find(|f| f.package == PACKAGE)
        .expect("our package has a file");
    let mut ours = set.file_descriptor(ours);
    let mut theirs = compiled
        .file
        .iter()
        .find(|f| f.name() == ours.name())
        .cloned()
        .expect("protox compiled our file");
    ours.source_code_info = None;
    theirs.source_code_info = None;
    assert_eq!(
        ours,
        theirs,
        "\n{}",
        set.proto_text(set.files().iter().find(|f| f.package == PACKAGE).unwrap())
    );
}

#[test]
fn rendered_proto_shows_names_defaults_and_docs() {
    let set = schema();
    let file = set.files().iter().find(|f| f.package == PACKAGE).unwrap();
    let text = set.proto_text(file);
    for expected in [
        "package typerpc.test.v1;",
        "import \"google/protobuf/timestamp.proto\";",
        "message Renamed {",
        "reserved 4, 8 to 10;",
        "reserved \"old\";",
        "string first_name = 1 [json_name = \"given\"];",
        "optional int32 limit = 2; // default: 10",
        "// How many to return.",
        "oneof shape {",
        "int64 code = 20;",
        "string explicit = 30;",
        "COLOR_GREEN = 5;",
        "COLOR_BLUE = 6;",
        "sint64 f_sint64 = 8;",
        "sfixed64 f_sfixed64 = 12;",
        "optional Color o_color = 8;",
        "map<uint64, Leaf> by_u64 = 3;",
        "repeated Tree children = 2;",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in\n{text}");
    }
}

// --- strategies -------------------------------------------------------------

fn finite_f64() -> impl Strategy<Value = f64> {
    prop_oneof![
        Just(0.0),
        Just(-0.5),
        Just(1e300),
        -1e9..1e9f64,
        any::<i32>().prop_map(f64::from)
    ]
}

fn any_f64() -> impl Strategy<Value = f64> {
    prop_oneof![4 => finite_f64(), 1 => Just(f64::INFINITY), 1 => Just(f64::NEG_INFINITY)]
}

fn any_f32() -> impl Strategy<Value = f32> {
    prop_oneof![
        Just(0.0f32),
        Just(0.1f32),
        Just(f32::MAX),
        -1e6..1e6f32,
        Just(f32::INFINITY)
    ]
}

fn text() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9 _\"\\\\\u{e9}\u{1F600}\n]{0,8}"
}

fn bytes() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(any::<u8>(), 0..10)
}

fn color() -> impl Strategy<Value = Color> {
    prop_oneof![
        Just(Color::Unspecified),
        Just(Color::Red),
        Just(Color::Green),
        Just(Color::Blue)
    ]
}

fn leaf() -> impl Strategy<Value = Leaf> {
    (text(), any::<i64>()).prop_map(|(name, weight)| Leaf { name, weight })
}

prop_compose! {
    fn scalars()(
        a in (any_f64(), any_f32(), any::<i32>(), any::<i64>(), any::<u32>(), any::<u64>(), any::<i32>(), any::<i64>()),
        b in (any::<u32>(), any::<u64>(), any::<i32>(), any::<i64>(), any::<bool>(), text(), bytes(), color()),
    ) -> Scalars {
        Scalars {
            f_double: a.0, f_float: a.1, f_int32: a.2, f_int64: a.3, f_uint32: a.4, f_uint64: a.5,
            f_sint32: a.6, f_sint64: a.7, f_fixed32: b.0, f_fixed64: b.1, f_sfixed32: b.2,
            f_sfixed64: b.3, f_bool: b.4, f_string: b.5, f_bytes: b.6, f_color: b.7,
        }
    }
}

prop_compose! {
    fn optionals()(
        a in (proptest::option::of(any::<i32>()), proptest::option::of(any::<i64>()), proptest::option::of(any::<i64>()),
              proptest::option::of(finite_f64()), proptest::option::of(any::<bool>())),
        b in (proptest::option::of(text()), proptest::option::of(bytes()), proptest::option::of(color()), proptest::option::of(leaf())),
    ) -> Optionals {
        Optionals { o_int32: a.0, o_int64: a.1, o_sint64: a.2, o_double: a.3, o_bool: a.4,
                    o_string: b.0, o_bytes: b.1, o_color: b.2, o_child: b.3 }
    }
}

prop_compose! {
    fn repeats()(
        a in (proptest::collection::vec(any::<i32>(), 0..4), proptest::collection::vec(any::<i64>(), 0..4),
              proptest::collection::vec(any::<u32>(), 0..4), proptest::collection::vec(finite_f64(), 0..4),
              proptest::collection::vec(any::<bool>(), 0..4)),
        b in (proptest::collection::vec(text(), 0..3), proptest::collection::vec(bytes(), 0..3),
              proptest::collection::vec(color(), 0..4), proptest::collection::vec(leaf(), 0..3)),
    ) -> Repeats {
        Repeats { r_int32: a.0, r_sint64: a.1, r_fixed32: a.2, r_double: a.3, r_bool: a.4,
                  r_string: b.0, r_bytes: b.1, r_color: b.2, r_leaf: b.3 }
    }
}

prop_compose! {
    fn maps()(
        by_name in proptest::collection::hash_map(text(), any::<i64>(), 0..3),
        by_id in proptest::collection::btree_map(any::<i32>(), text(), 0..3),
        by_u64 in proptest::collection::hash_map(any::<u64>(), leaf(), 0..3),
        flags in proptest::collection::hash_map(any::<bool>(), color(), 0..2),
        blobs in proptest::collection::btree_map(text(), bytes(), 0..3),
    ) -> Maps {
        Maps { by_name, by_id, by_u64, flags, blobs }
    }
}

fn shape() -> impl Strategy<Value = Shape> {
    prop_oneof![
        finite_f64().prop_map(Shape::Radius),
        text().prop_map(Shape::Label),
        leaf().prop_map(Shape::Leaf),
        any::<i64>().prop_map(Shape::Code),
        color().prop_map(Shape::Tint),
    ]
}

fn tree() -> impl Strategy<Value = Tree> {
    let leaf = any::<i32>().prop_map(|value| Tree {
        value,
        children: vec![],
        left: None,
    });
    leaf.prop_recursive(3, 12, 3, |inner| {
        (
            any::<i32>(),
            proptest::collection::vec(inner.clone(), 0..3),
            proptest::option::of(inner),
        )
            .prop_map(|(value, children, left)| Tree {
                value,
                children,
                left: left.map(Box::new),
            })
    })
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        finite_f64().prop_map(Value::Number),
        text().prop_map(Value::String),
        any::<bool>().prop_map(Value::Bool),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            proptest::collection::btree_map(text(), inner.clone(), 0..3)
                .prop_map(|fields| Value::Struct(Struct { fields })),
            proptest::collection::vec(inner, 0..3)
                .prop_map(|values| Value::List(ListValue { values })),
        ]
    })
}

fn timestamp() -> impl Strategy<Value = Timestamp> {
    (-62_135_596_800i64..=253_402_300_799, 0..1_000_000_000i32)
        .prop_map(|(s, n)| Timestamp::new(s, n))
}

fn duration() -> impl Strategy<Value = Duration> {
    (-315_576_000_000i64..=315_576_000_000, 0..1_000_000_000i32).prop_map(|(s, n)| {
        let nanos = if s < 0 { -n } else { n };
        Duration::new(s, nanos)
    })
}

prop_compose! {
    fn well_known()(
        at in proptest::option::of(timestamp()),
        took in proptest::option::of(duration()),
        meta in proptest::option::of(proptest::collection::btree_map(text(), json_value(), 0..3)),
        anything in proptest::option::of(json_value()),
        list in proptest::option::of(proptest::collection::vec(json_value(), 0..3)),
        packed in proptest::option::of(leaf()),
        nothing in proptest::option::of(Just(Empty {})),
        times in proptest::collection::vec(timestamp(), 0..3),
    ) -> WellKnown {
        WellKnown {
            at, took,
            meta: meta.map(|fields| Struct { fields }),
            anything,
            list: list.map(|values| ListValue { values }),
            packed: packed.map(|l| Any::pack(&l)),
            nothing, times,
        }
    }
}

prop_compose! {
    fn everything()(
        scalars in proptest::option::of(scalars()),
        optionals in proptest::option::of(optionals()),
        repeats in proptest::option::of(repeats()),
        maps in proptest::option::of(maps()),
        oneof in proptest::option::of((text(), proptest::option::of(shape()), any::<i32>(), text())),
        tree in proptest::option::of(tree()),
        well_known in proptest::option::of(well_known()),
        renamed in proptest::option::of((text(), any::<i32>(), text())),
    ) -> Everything {
        Everything {
            scalars, optionals, repeats, maps,
            oneof: oneof.map(|(id, shape, after, explicit)| WithOneof { id, shape, after, explicit }),
            tree, well_known,
            renamed: renamed.map(|(name, limit, language)| RenamedMessage { name, limit, language }),
        }
    }
}

// --- the differential properties ---------------------------------------------

struct Oracle {
    descriptor: prost_reflect::MessageDescriptor,
    json: JsonOptions,
}

/// Compiled once: protox is the slow part of these tests.
static ORACLE: std::sync::LazyLock<Oracle> = std::sync::LazyLock::new(|| {
    let pool = oracle::pool(&schema());
    Oracle {
        descriptor: pool
            .get_message_by_name("typerpc.test.v1.Everything")
            .expect("descriptor"),
        json: JsonOptions::default().with_registry(TypeRegistry::new().with::<Leaf>()),
    }
});

fn oracle_for() -> &'static Oracle {
    &ORACLE
}

fn their_json(message: &DynamicMessage, options: &SerializeOptions) -> serde_json::Value {
    let mut out = Vec::new();
    let mut serializer = serde_json::Serializer::new(&mut out);
    message
        .serialize_with_options(&mut serializer, options)
        .expect("prost-reflect serializes");
    serde_json::from_slice(&out).expect("prost-reflect JSON")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn binary_agrees_with_prost_reflect(value in everything()) {
        let oracle = oracle_for();
        let bytes = value.encode_to_vec();
        let dynamic = DynamicMessage::decode(oracle.descriptor.clone(), &bytes[..]).expect("prost-reflect decodes our bytes");
        let again = prost::Message::encode_to_vec(&dynamic);
        let back = Everything::decode(&again[..]).expect("we decode prost-reflect's bytes");
        prop_assert_eq!(&back, &value);
    }

    #[test]
    fn json_agrees_with_prost_reflect(value in everything()) {
        let oracle = oracle_for();
        let bytes = value.encode_to_vec();
        let dynamic = DynamicMessage::decode(oracle.descriptor.clone(), &bytes[..]).unwrap();

        let ours_text = value.to_json_with(&oracle.json).expect("our JSON");
        let ours: serde_json::Value = serde_json::from_str(&ours_text).expect("our JSON parses");
        let theirs = their_json(&dynamic, &SerializeOptions::new());
        prop_assert_eq!(oracle::normalize_numbers(ours.clone()), oracle::normalize_numbers(theirs.clone()));

        // Both texts parse back to the value.
        prop_assert_eq!(&Everything::from_json_with(ours_text.as_bytes(), &oracle.json).unwrap(), &value);
        let theirs_text = serde_json::to_string(&theirs).unwrap();
        prop_assert_eq!(&Everything::from_json_with(theirs_text.as_bytes(), &oracle.json).unwrap(), &value);

        // With defaults emitted, still equal to prost-reflect's.
        let with_defaults = oracle.json.clone().with_emit_defaults(true);
        let ours: serde_json::Value = serde_json::from_str(&value.to_json_with(&with_defaults).unwrap()).unwrap();
        let theirs = their_json(&dynamic, &SerializeOptions::new().skip_default_fields(false));
        prop_assert_eq!(oracle::normalize_numbers(ours), oracle::normalize_numbers(theirs));
    }
}

#[test]
fn json_accepts_both_names_numbers_as_strings_and_enum_numbers() {
    let parsed = Scalars::from_json(
        r#"{"f_int64": 5, "fUint64": "18446744073709551615", "f_color": 5, "fBytes": "-_8", "fDouble": "NaN"}"#,
    )
    .unwrap();
    assert_eq!(parsed.f_int64, 5);
    assert_eq!(parsed.f_uint64, u64::MAX);
    assert_eq!(parsed.f_color, Color::Green);
    assert_eq!(parsed.f_bytes, vec![0xfb, 0xff]);
    assert!(parsed.f_double.is_nan());
}

#[test]
fn json_errors_name_the_path() {
    let err =
        Everything::from_json(r#"{"repeats": {"rLeaf": [{}, {"weight": "x"}]}}"#).unwrap_err();
    assert_eq!(err.path(), "repeats.rLeaf[1].weight", "{err}");
    let err = Everything::from_json(r#"{"nope": 1}"#).unwrap_err();
    assert!(err.to_string().contains("nope"), "{err}");
    let ignoring = JsonOptions::default().with_ignore_unknown_fields(true);
    assert!(Everything::from_json_with(br#"{"nope": {"a": [1]}}"#, &ignoring).is_ok());
}

#[test]
fn declared_defaults_apply_when_absent_in_binary_and_json() {
    let decoded = RenamedMessage::decode(&[][..]).unwrap();
    assert_eq!((decoded.limit, decoded.language.as_str()), (10, "en"));
    let parsed = RenamedMessage::from_json(r#"{"given": "x"}"#).unwrap();
    assert_eq!((parsed.limit, parsed.language.as_str()), (10, "en"));
    // An explicit zero is kept: presence is tracked on the wire.
    let zero = RenamedMessage {
        name: String::new(),
        limit: 0,
        language: String::new(),
    };
    let back = RenamedMessage::decode(&zero.encode_to_vec()[..]).unwrap();
    assert_eq!(back, zero);
    let _ = (HashMap::<u8, u8>::new(), BTreeMap::<u8, u8>::new());
}

/// Plain numbers as defaults take the field's type: no `20u32` needed.
#[derive(typerpc::Message, Clone, Debug, PartialEq)]
pub struct NumericDefaults {
    #[rpc(default = 20)]
    pub unsigned: u32,
    #[rpc(default = 5_000_000_000)]
    pub wide: u64,
    #[rpc(default = -7)]
    pub negative: i64,
    #[rpc(default = 1)]
    pub ratio: f64,
    #[rpc(default = 0.5)]
    pub half: f32,
}

#[test]
fn plain_number_defaults_take_the_fields_type() {
    let decoded = NumericDefaults::decode(&[][..]).unwrap();
    assert_eq!(
        decoded,
        NumericDefaults {
            unsigned: 20,
            wide: 5_000_000_000,
            negative: -7,
            ratio: 1.0,
            half: 0.5,
        }
    );
    assert_eq!(NumericDefaults::from_json("{}").unwrap(), decoded);
}

// --- the OpenAPI document's JSON Schemas admit our JSON ------------------------

/// A service carrying `Everything`, for its OpenAPI document.
struct EverythingService;

#[typerpc::service(package = "typerpc.test.v1")]
impl EverythingService {
    async fn echo(&self, value: Everything) -> Result<Everything, typerpc::Status> {
        Ok(value)
    }
}

/// Checks each instance against the component schema it names, with the
/// `jsonschema` package (draft 2020-12, as OpenAPI 3.1): prints the first
/// failure and exits with 1.
const CHECK_INSTANCES: &str = r##"
import json, sys
import jsonschema
data = json.load(open(sys.argv[1]))
failures = 0
for name, instance in data["instances"]:
    schema = {"$ref": "#/components/schemas/" + name, "components": data["doc"]["components"]}
    errors = list(jsonschema.Draft202012Validator(schema).iter_errors(instance))
    if errors:
        failures += 1
        if failures == 1:
            print("not admitted by", name, ":", json.dumps(instance)[:2000])
            for e in errors[:3]:
                print("  at", list(e.absolute_path), ":", e.message[:300])
admitted = 0
for name, instance in data["rejects"]:
    schema = {"$ref": "#/components/schemas/" + name, "components": data["doc"]["components"]}
    if jsonschema.Draft202012Validator(schema).is_valid(instance):
        admitted += 1
        print("admitted but should not be:", name, json.dumps(instance))
print(len(data["instances"]), "instances,", failures, "not admitted;", admitted, "bad ones admitted")
sys.exit(1 if failures or admitted else 0)
"##;

/// Everything our JSON writer emits, and the other forms the reader
/// accepts, is valid under the document's schemas: the document never
/// forbids what the server takes or sends.
#[test]
fn openapi_schemas_admit_our_json_and_what_we_accept() {
    let Some(python) = common::peers::peer("python") else {
        return;
    };
    let doc = typerpc::Router::new()
        .add(EverythingService)
        .register_type::<Leaf>()
        .openapi()
        .expect("document");
    let json = JsonOptions::default().with_registry(TypeRegistry::new().with::<Leaf>());
    let with_defaults = json.clone().with_emit_defaults(true);
    let mut instances = Vec::new();
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = everything();
    for _ in 0..200 {
        let value = strategy.new_tree(&mut runner).expect("value").current();
        for options in [&json, &with_defaults] {
            let text = value.to_json_with(options).expect("our JSON");
            let parsed: serde_json::Value = serde_json::from_str(&text).expect("JSON");
            instances.push(serde_json::json!(["typerpc.test.v1.Everything", parsed]));
        }
    }
    // Other forms the reader accepts: numbers as strings, enum numbers,
    // exponents, base64url, null for absent, special floats.
    let accepted = [
        (
            "typerpc.test.v1.Scalars",
            r#"{"fInt64": 5, "fUint64": "18446744073709551615", "fColor": 5, "fBytes": "-_8", "fDouble": "NaN", "fInt32": "7", "fUint32": 1e2, "fString": null, "fFloat": "-Infinity"}"#,
        ),
        (
            "typerpc.test.v1.Optionals",
            r#"{"oInt32": null, "oChild": null, "oColor": "COLOR_RED", "oDouble": "1.5"}"#,
        ),
        (
            "typerpc.test.v1.Maps",
            r#"{"byId": {"-3": "x"}, "flags": {"true": "COLOR_BLUE"}, "byU64": {"18446744073709551615": {}}, "byName": null}"#,
        ),
        (
            "typerpc.test.v1.WithOneof",
            r#"{"radius": 1.5, "after": "-1"}"#,
        ),
        (
            "typerpc.test.v1.WellKnown",
            r#"{"at": "1970-01-01T00:00:00.010Z", "took": "-1.5s", "anything": null, "meta": {"k": [1, null]}, "packed": {"@type": "type.googleapis.com/typerpc.test.v1.Leaf", "name": "x"}}"#,
        ),
    ];
    for (name, text) in accepted {
        let parsed: serde_json::Value = serde_json::from_str(text).unwrap();
        instances.push(serde_json::json!([name, parsed]));
    }
    // Each accepted form does parse.
    Scalars::from_json(accepted[0].1).expect("accepted");
    Optionals::from_json(accepted[1].1).expect("accepted");
    Maps::from_json(accepted[2].1).expect("accepted");
    WithOneof::from_json(accepted[3].1).expect("accepted");
    WellKnown::from_json_with(accepted[4].1.as_bytes(), &json).expect("accepted");

    // And what the reader rejects, the schemas reject too (a control: the
    // check above could not pass by admitting everything).
    let rejects = [
        ("typerpc.test.v1.Scalars", r#"{"fInt32": "abc"}"#),
        ("typerpc.test.v1.Scalars", r#"{"fInt32": 2147483648}"#),
        ("typerpc.test.v1.Scalars", r#"{"fColor": "COLOR_PURPLE"}"#),
        ("typerpc.test.v1.Scalars", r#"{"fBool": "yes"}"#),
        ("typerpc.test.v1.Scalars", r#"{"noSuchField": 1}"#),
        (
            "typerpc.test.v1.WithOneof",
            r#"{"radius": 1.5, "label": "x"}"#,
        ),
        ("typerpc.test.v1.WellKnown", r#"{"took": "1.5"}"#),
        ("typerpc.test.v1.Repeats", r#"{"rInt32": [null]}"#),
    ];
    assert!(Scalars::from_json(rejects[0].1).is_err());
    assert!(WithOneof::from_json(rejects[5].1).is_err());
    assert!(Repeats::from_json(rejects[7].1).is_err());
    let rejects: Vec<serde_json::Value> = rejects
        .iter()
        .map(|(name, text)| {
            serde_json::json!([
                name,
                serde_json::from_str::<serde_json::Value>(text).unwrap()
            ])
        })
        .collect();
    let file = std::env::temp_dir().join(format!(
        "typerpc-openapi-oracle-{}.json",
        std::process::id()
    ));
    std::fs::write(
        &file,
        serde_json::to_vec(
            &serde_json::json!({ "doc": doc, "instances": instances, "rejects": rejects }),
        )
        .unwrap(),
    )
    .unwrap();
    let out = std::process::Command::new(python)
        .arg("-c")
        .arg(CHECK_INSTANCES)
        .arg(&file)
        .output()
        .expect("python runs");
    let _ = std::fs::remove_file(&file);
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{report}");
    assert!(
        report.contains("0 not admitted; 0 bad ones admitted"),
        "{report}"
    );
}
