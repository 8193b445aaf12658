//! Tests of schema resolution.

use super::super::model::{
    EnumSchema, MessageSchema, MethodSchema, OneofSchema, OneofVariantSchema, Scalar, ServiceSchema,
};
use super::fixtures::*;
use super::*;

fn build_one(message: &'static MessageSchema) -> Result<SchemaSet, SchemaError> {
    let mut builder = SchemaBuilder::new().default_package("t.v1");
    builder.add_message(message);
    builder.build()
}

fn names_in(set: &SchemaSet, file: &ProtoFile) -> Vec<String> {
    fn walk(set: &SchemaSet, id: usize, out: &mut Vec<String>) {
        if let Some(ty) = set.ty(id) {
            out.push(ty.full_name.clone());
            for &child in &ty.nested {
                walk(set, child, out);
            }
        }
    }
    let mut out = Vec::new();
    for &id in &file.types {
        walk(set, id, &mut out);
    }
    out
}

#[test]
fn rich_schema_resolves_files_packages_and_order() {
    let set = rich_builder().build().unwrap();
    let paths: Vec<&str> = set.files().iter().map(|f| f.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "google/protobuf/timestamp.proto",
            "typerpc/test/v1/test.proto",
            "typerpc/other/v1/other.proto",
        ]
    );
    let test = &set.files()[1];
    assert_eq!(test.package, TEST_PACKAGE);
    assert_eq!(test.dependencies(), ["google/protobuf/timestamp.proto"]);
    // Discovery order: depth-first pre-order over fields; nested types
    // listed under their parents.
    assert_eq!(
        names_in(&set, test),
        [
            "typerpc.test.v1.Everything",
            "typerpc.test.v1.Color",
            "typerpc.test.v1.Scalars",
            "typerpc.test.v1.Circle",
            "typerpc.test.v1.Outer",
            "typerpc.test.v1.Outer.Inner",
            "typerpc.test.v1.Outer.Inner.Deep",
            "typerpc.test.v1.Outer.Kind",
            "typerpc.test.v1.Node",
        ]
    );
    let other = &set.files()[2];
    assert_eq!(
        other.dependencies(),
        [
            "google/protobuf/timestamp.proto",
            "typerpc/test/v1/test.proto"
        ]
    );
    // The floating Ping was first reached from the service.
    assert_eq!(
        names_in(&set, other),
        ["typerpc.other.v1.Wrapper", "typerpc.other.v1.Ping"]
    );
    assert_eq!(
        set.full_name_of_message(&PING),
        Some("typerpc.other.v1.Ping")
    );
    assert_eq!(
        set.full_name_of_message(&TIMESTAMP),
        Some("google.protobuf.Timestamp")
    );
    assert_eq!(
        set.full_name_of_message(&DEEP),
        Some("typerpc.test.v1.Outer.Inner.Deep")
    );
    assert_eq!(set.full_name_of_enum(&COLOR), Some("typerpc.test.v1.Color"));
    assert_eq!(
        set.full_name_of_enum(&OUTER_KIND),
        Some("typerpc.test.v1.Outer.Kind")
    );
    assert_eq!(
        set.full_name_of_service(&OTHER_SERVICE),
        Some("typerpc.other.v1.OtherService")
    );
    assert!(set.is_well_known(&set.files()[0]));
    assert!(!set.files()[1].is_well_known());
    assert_eq!(
        set.file("typerpc/test/v1/test.proto")
            .map(|f| f.package.as_str()),
        Some(TEST_PACKAGE)
    );
}

#[test]
fn unreferenced_types_are_absent() {
    let set = build_one(&CIRCLE).unwrap();
    assert_eq!(set.full_name_of_message(&CIRCLE), Some("t.v1.Circle"));
    assert_eq!(set.full_name_of_message(&NODE), None);
    assert_eq!(set.full_name_of_enum(&COLOR), None);
}

static PALETTE: MessageSchema = message(
    "Palette",
    Some("paint.v1"),
    &[
        field("color", "color", 1, one(enm(|| &COLOR))),
        field("node", "node", 2, one(msg(|| &NODE))),
    ],
);

#[test]
fn floating_types_follow_first_referrer() {
    // Palette is added first and reaches Color and Node (and, through
    // Node, nothing else), so both land in its package even though
    // Everything, added later, refers to them too.
    let mut builder = SchemaBuilder::new().default_package(TEST_PACKAGE);
    builder.add_message(&PALETTE).add_message(&EVERYTHING);
    let set = builder.build().unwrap();
    assert_eq!(set.full_name_of_enum(&COLOR), Some("paint.v1.Color"));
    assert_eq!(set.full_name_of_message(&NODE), Some("paint.v1.Node"));
    assert_eq!(
        set.full_name_of_message(&SCALARS),
        Some("typerpc.test.v1.Scalars")
    );
    let test = set.file("typerpc/test/v1/test.proto").unwrap();
    assert_eq!(
        test.dependencies(),
        ["google/protobuf/timestamp.proto", "paint/v1/paint.proto"]
    );

    // Depth-first: Wrapper's first field leads into Everything, which
    // reaches Color before Wrapper's own `color` field does.
    let mut builder = SchemaBuilder::new();
    builder.add_message(&WRAPPER);
    let set = builder.build().unwrap();
    assert_eq!(set.full_name_of_enum(&COLOR), Some("typerpc.test.v1.Color"));
    assert_eq!(
        set.full_name_of_message(&PING),
        Some("typerpc.other.v1.Ping")
    );
}

#[test]
fn roots_are_deduplicated() {
    let mut builder = SchemaBuilder::new().default_package("t.v1");
    builder
        .add_message(&NODE)
        .add_message(&NODE)
        .add_enum(&COLOR)
        .add_enum(&COLOR);
    let set = builder.build().unwrap();
    assert_eq!(set.files().len(), 1);
    assert_eq!(set.files()[0].types.len(), 2);
}

#[test]
fn missing_package_is_an_error() {
    let mut builder = SchemaBuilder::new();
    builder.add_message(&CIRCLE);
    let err = builder.build().unwrap_err();
    assert_eq!(
        err,
        SchemaError::MissingPackage {
            type_name: "message `Circle`".into()
        }
    );
    assert!(err.to_string().contains("default_package"), "{err}");
    // A floating root that an earlier root already placed is fine.
    let mut builder = SchemaBuilder::new();
    builder.add_message(&EVERYTHING).add_message(&CIRCLE);
    assert!(builder.build().is_ok());
}

static CIRCLE_TWIN: MessageSchema = message(
    "Circle",
    None,
    &[field("r", "r", 1, one(sc(Scalar::Float)))],
);
static TWINS: MessageSchema = message(
    "Twins",
    None,
    &[
        field("a", "a", 1, one(msg(|| &CIRCLE))),
        field("b", "b", 2, one(msg(|| &CIRCLE_TWIN))),
    ],
);

#[test]
fn two_types_with_one_name_are_an_error() {
    let err = build_one(&TWINS).unwrap_err();
    match &err {
        SchemaError::DuplicateName { full_name, .. } => assert_eq!(full_name, "t.v1.Circle"),
        other => panic!("unexpected {other:?}"),
    }
    assert!(err.to_string().contains("another Rust type"), "{err}");
}

static ORPHAN: MessageSchema = message("Missing.Orphan", None, &[]);
static ENUM_PARENT: EnumSchema = EnumSchema {
    name: "Parent",
    package: None,
    file: None,
    doc: "",
    values: &[value("PARENT_UNSPECIFIED", 0)],
};
static ENUM_CHILD: MessageSchema = message("Parent.Child", None, &[]);
static HAS_ENUM_PARENT: MessageSchema = message(
    "HasEnumParent",
    None,
    &[
        field("p", "p", 1, one(enm(|| &ENUM_PARENT))),
        field("c", "c", 2, one(msg(|| &ENUM_CHILD))),
    ],
);
static PARENT_ELSEWHERE: MessageSchema = message("Holder", Some("x.v1"), &[]);
static CHILD_ELSEWHERE: MessageSchema = message("Holder.Child", Some("y.v1"), &[]);
static HAS_CHILD_ELSEWHERE: MessageSchema = message(
    "HasChildElsewhere",
    None,
    &[
        field("p", "p", 1, one(msg(|| &PARENT_ELSEWHERE))),
        field("c", "c", 2, one(msg(|| &CHILD_ELSEWHERE))),
    ],
);

#[test]
fn nested_types_need_their_parent() {
    let err = build_one(&ORPHAN).unwrap_err();
    assert!(
        matches!(&err, SchemaError::MissingParent { type_name, parent, .. }
            if type_name == "t.v1.Missing.Orphan" && parent == "t.v1.Missing"),
        "{err:?}"
    );
    let err = build_one(&HAS_ENUM_PARENT).unwrap_err();
    assert!(err.to_string().contains("is an enum"), "{err}");
    let err = build_one(&HAS_CHILD_ELSEWHERE).unwrap_err();
    assert!(
        err.to_string().contains("only found in package `x.v1`"),
        "{err}"
    );
}

static CYCLE_A: MessageSchema = message(
    "A",
    Some("cyc.a.v1"),
    &[field("b", "b", 1, one(msg(|| &CYCLE_B)))],
);
static CYCLE_B: MessageSchema = message(
    "B",
    Some("cyc.b.v1"),
    &[field("a", "a", 1, rep(msg(|| &CYCLE_A)))],
);

#[test]
fn import_cycles_are_an_error() {
    let err = build_one(&CYCLE_A).unwrap_err();
    assert_eq!(
        err,
        SchemaError::ImportCycle {
            cycle: vec![
                "cyc/a/v1/a.proto".into(),
                "cyc/b/v1/b.proto".into(),
                "cyc/a/v1/a.proto".into()
            ],
            reasons: vec![
                "`cyc.a.v1.A` refers to `cyc.b.v1.B`".into(),
                "`cyc.b.v1.B` refers to `cyc.a.v1.A`".into()
            ],
        }
    );
    assert!(err
        .to_string()
        .contains("cyc/a/v1/a.proto -> cyc/b/v1/b.proto -> cyc/a/v1/a.proto"));
}

static BAD_MESSAGE_NAME: MessageSchema = message("Bad-Name", None, &[]);
static BAD_FIELD_NAME: MessageSchema = message(
    "BadField",
    None,
    &[field("1st", "1st", 1, one(sc(Scalar::Bool)))],
);
static BAD_PACKAGE: MessageSchema = message("Fine", Some("bad..pkg"), &[]);
static BAD_FILE: MessageSchema = MessageSchema {
    file: Some("../escape.proto"),
    ..message("Fine", None, &[])
};
static BAD_ENUM_VALUE: EnumSchema = EnumSchema {
    name: "E",
    package: None,
    file: None,
    doc: "",
    values: &[value("option", 0)],
};
static BAD_SERVICE: ServiceSchema = ServiceSchema {
    name: "Svc",
    package: "t.v1",
    doc: "",
    methods: &[MethodSchema {
        name: "get thing",
        input: || &CIRCLE,
        output: || &CIRCLE,
        client_streaming: false,
        server_streaming: false,
        idempotent: false,
        doc: "",
    }],
};
static EMPTY_PACKAGE_SERVICE: ServiceSchema = ServiceSchema {
    name: "Svc",
    package: "",
    doc: "",
    methods: &[],
};

fn invalid_name(result: Result<SchemaSet, SchemaError>) -> (String, String) {
    match result {
        Err(SchemaError::InvalidName { what, name, .. }) => (what, name),
        other => panic!("expected InvalidName, got {other:?}"),
    }
}

#[test]
fn invalid_names_are_errors() {
    assert_eq!(invalid_name(build_one(&BAD_MESSAGE_NAME)).1, "Bad-Name");
    assert_eq!(invalid_name(build_one(&BAD_FIELD_NAME)).1, "1st");
    assert_eq!(invalid_name(build_one(&BAD_PACKAGE)).1, "bad..pkg");
    assert_eq!(invalid_name(build_one(&BAD_FILE)).1, "../escape.proto");
    let mut builder = SchemaBuilder::new().default_package("t.v1");
    builder.add_enum(&BAD_ENUM_VALUE);
    assert_eq!(invalid_name(builder.build()).1, "option");
    let mut builder = SchemaBuilder::new();
    builder.add_service(&BAD_SERVICE);
    let (what, name) = invalid_name(builder.build());
    assert_eq!(name, "get thing");
    assert!(what.contains("t.v1.Svc"));
    let mut builder = SchemaBuilder::new();
    builder.add_service(&EMPTY_PACKAGE_SERVICE);
    let err = builder.build().unwrap_err();
    assert!(err.to_string().contains("default_package"), "{err}");
    let mut builder = SchemaBuilder::new().default_package("");
    builder.add_message(&CIRCLE);
    assert_eq!(invalid_name(builder.build()).1, "");
}

static JSON_CLASH: MessageSchema = message(
    "JsonClash",
    None,
    &[
        field("a", "same", 1, one(sc(Scalar::Bool))),
        field("b", "same", 2, one(sc(Scalar::Bool))),
    ],
);
static CASE_CLASH: MessageSchema = message(
    "CaseClash",
    None,
    &[
        field("foo_bar", "fooBar", 1, one(sc(Scalar::Bool))),
        field("foobar", "x", 2, one(sc(Scalar::Bool))),
    ],
);
static BRACKET_JSON: MessageSchema = message(
    "BracketJson",
    None,
    &[field("a", "[a]", 1, one(sc(Scalar::Bool)))],
);
static BAD_MAP_KEY: MessageSchema = message(
    "BadMapKey",
    None,
    &[field("m", "m", 1, map(Scalar::Double, sc(Scalar::Bool)))],
);
static EMPTY_ONEOF: OneofSchema = OneofSchema {
    rust_name: "Empty",
    doc: "",
    variants: &[],
};
static HAS_EMPTY_ONEOF: MessageSchema = message(
    "HasEmptyOneof",
    None,
    &[field("o", "o", 1, oneof(|| &EMPTY_ONEOF))],
);

#[test]
fn field_name_rules() {
    assert!(build_one(&JSON_CLASH)
        .unwrap_err()
        .to_string()
        .contains("same JSON name"));
    assert!(build_one(&CASE_CLASH)
        .unwrap_err()
        .to_string()
        .contains("only in case"));
    assert!(build_one(&BRACKET_JSON)
        .unwrap_err()
        .to_string()
        .contains("extensions"));
    assert!(build_one(&BAD_MAP_KEY)
        .unwrap_err()
        .to_string()
        .contains("map keys"));
    assert!(build_one(&HAS_EMPTY_ONEOF)
        .unwrap_err()
        .to_string()
        .contains("at least one"));
}

static FIELD_VS_NESTED: MessageSchema = message(
    "Box",
    None,
    &[field("Item", "Item", 1, one(msg(|| &BOX_ITEM)))],
);
static BOX_ITEM: MessageSchema = message("Box.Item", None, &[]);
static ENUM_ONE: EnumSchema = EnumSchema {
    name: "One",
    package: None,
    file: None,
    doc: "",
    values: &[value("UNSPECIFIED", 0)],
};
static ENUM_TWO: EnumSchema = EnumSchema {
    name: "Two",
    package: None,
    file: None,
    doc: "",
    values: &[value("UNSPECIFIED", 0)],
};
static TWO_ENUMS: MessageSchema = message(
    "TwoEnums",
    None,
    &[
        field("one", "one", 1, one(enm(|| &ENUM_ONE))),
        field("two", "two", 2, one(enm(|| &ENUM_TWO))),
    ],
);
static MAP_ENTRY_CLASH: MessageSchema = message(
    "MapEntryClash",
    None,
    &[
        field("items", "items", 1, map(Scalar::String, sc(Scalar::Bool))),
        field("x", "x", 2, one(msg(|| &ITEMS_ENTRY))),
    ],
);
static ITEMS_ENTRY: MessageSchema = message("MapEntryClash.ItemsEntry", None, &[]);
static PACKAGE_CLASH: MessageSchema = message(
    "v1",
    Some("t"),
    &[field("x", "x", 1, one(msg(|| &IN_T_V1)))],
);
static IN_T_V1: MessageSchema = message("Thing", Some("t.v1"), &[]);

#[test]
fn symbol_conflicts_are_errors() {
    let err = build_one(&FIELD_VS_NESTED).unwrap_err();
    assert!(
        matches!(&err, SchemaError::DuplicateName { full_name, .. } if full_name == "t.v1.Box.Item"),
        "{err:?}"
    );
    let err = build_one(&TWO_ENUMS).unwrap_err();
    assert!(
        matches!(&err, SchemaError::DuplicateName { full_name, .. } if full_name == "t.v1.UNSPECIFIED"),
        "{err:?}"
    );
    assert!(err.to_string().contains("prefix them"), "{err}");
    let err = build_one(&MAP_ENTRY_CLASH).unwrap_err();
    assert!(
        matches!(&err, SchemaError::DuplicateName { full_name, .. } if full_name == "t.v1.MapEntryClash.ItemsEntry"),
        "{err:?}"
    );
    let err = build_one(&PACKAGE_CLASH).unwrap_err();
    assert!(
        matches!(&err, SchemaError::DuplicateName { full_name, .. } if full_name == "t.v1"),
        "{err:?}"
    );
}

static OUT_OF_RANGE: MessageSchema = message(
    "OutOfRange",
    None,
    &[field("a", "a", 0, one(sc(Scalar::Bool)))],
);
static IMPL_RESERVED: MessageSchema = message(
    "ImplReserved",
    None,
    &[field("a", "a", 19_500, one(sc(Scalar::Bool)))],
);
static DUPLICATE_NUMBER: OneofSchema = OneofSchema {
    rust_name: "Dup",
    doc: "",
    variants: &[OneofVariantSchema {
        name: "b",
        json_name: "b",
        number: Some(1),
        ty: sc(Scalar::Bool),
        doc: "",
    }],
};
static HAS_DUPLICATE_NUMBER: MessageSchema = message(
    "HasDuplicateNumber",
    None,
    &[
        field("a", "a", 1, one(sc(Scalar::Bool))),
        field("o", "o", 5, oneof(|| &DUPLICATE_NUMBER)),
    ],
);
static USES_RESERVED: MessageSchema = MessageSchema {
    reserved_numbers: &[(3, 7)],
    ..message(
        "UsesReserved",
        None,
        &[field("a", "a", 5, one(sc(Scalar::Bool)))],
    )
};
static USES_RESERVED_NAME: MessageSchema = MessageSchema {
    reserved_names: &["a"],
    ..message(
        "UsesReservedName",
        None,
        &[field("a", "a", 5, one(sc(Scalar::Bool)))],
    )
};
static OVERLAPPING: MessageSchema = MessageSchema {
    reserved_numbers: &[(3, 7), (7, 9)],
    ..message("Overlapping", None, &[])
};
static OVERFLOWING: OneofSchema = OneofSchema {
    rust_name: "Overflowing",
    doc: "",
    variants: &[
        OneofVariantSchema {
            name: "a",
            json_name: "a",
            number: None,
            ty: sc(Scalar::Bool),
            doc: "",
        },
        OneofVariantSchema {
            name: "b",
            json_name: "b",
            number: None,
            ty: sc(Scalar::Bool),
            doc: "",
        },
    ],
};
static HAS_OVERFLOWING: MessageSchema = message(
    "HasOverflowing",
    None,
    &[field("o", "o", u32::MAX, oneof(|| &OVERFLOWING))],
);
static EMPTY_ENUM: EnumSchema = EnumSchema {
    name: "Empty",
    package: None,
    file: None,
    doc: "",
    values: &[],
};
static NONZERO_ENUM: EnumSchema = EnumSchema {
    name: "NonZero",
    package: None,
    file: None,
    doc: "",
    values: &[value("NON_ZERO_A", 1)],
};
static ALIAS_ENUM: EnumSchema = EnumSchema {
    name: "Alias",
    package: None,
    file: None,
    doc: "",
    values: &[value("ALIAS_A", 0), value("ALIAS_B", 0)],
};

fn invalid_number(result: Result<SchemaSet, SchemaError>) -> String {
    match result {
        Err(err @ SchemaError::InvalidNumber { .. }) => err.to_string(),
        other => panic!("expected InvalidNumber, got {other:?}"),
    }
}

fn build_enum(e: &'static EnumSchema) -> Result<SchemaSet, SchemaError> {
    let mut builder = SchemaBuilder::new().default_package("t.v1");
    builder.add_enum(e);
    builder.build()
}

#[test]
fn invalid_numbers_are_errors() {
    assert!(invalid_number(build_one(&OUT_OF_RANGE)).contains("out of range"));
    assert!(invalid_number(build_one(&IMPL_RESERVED)).contains("19000"));
    assert!(
        invalid_number(build_one(&HAS_DUPLICATE_NUMBER)).contains("already used by the field `a`")
    );
    assert!(invalid_number(build_one(&USES_RESERVED)).contains("is reserved (3 to 7)"));
    assert!(invalid_name(build_one(&USES_RESERVED_NAME)).1 == "a");
    assert!(invalid_number(build_one(&OVERLAPPING)).contains("overlaps"));
    assert!(invalid_number(build_one(&HAS_OVERFLOWING)).contains("out of range"));
    assert!(invalid_number(build_enum(&EMPTY_ENUM)).contains("at least one value"));
    assert!(invalid_number(build_enum(&NONZERO_ENUM)).contains("must be 0"));
    assert!(invalid_number(build_enum(&ALIAS_ENUM)).contains("already used by `ALIAS_A`"));
}

static IN_FILE_A: MessageSchema = MessageSchema {
    file: Some("shared/types.proto"),
    ..message(
        "InA",
        Some("pkg.a"),
        &[field("b", "b", 1, one(msg(|| &IN_FILE_B)))],
    )
};
static IN_FILE_B: MessageSchema = MessageSchema {
    file: Some("shared/types.proto"),
    ..message("InB", Some("pkg.b"), &[])
};
static NESTED_ELSEWHERE: MessageSchema = MessageSchema {
    file: Some("other/place.proto"),
    ..message("Holder.Nested", None, &[])
};
static HOLDER: MessageSchema = message(
    "Holder",
    None,
    &[field("n", "n", 1, one(msg(|| &NESTED_ELSEWHERE)))],
);

#[test]
fn file_conflicts_are_errors() {
    let err = build_one(&IN_FILE_A).unwrap_err();
    assert!(
        matches!(&err, SchemaError::FileConflict { path, .. } if path == "shared/types.proto"),
        "{err:?}"
    );
    assert!(err.to_string().contains("exactly one package"), "{err}");
    let err = build_one(&HOLDER).unwrap_err();
    assert!(
        err.to_string().contains("parent's file `t/v1/t.proto`"),
        "{err}"
    );
}

static SAME_FILE_OVERRIDE: MessageSchema = MessageSchema {
    file: Some("custom/place.proto"),
    ..message(
        "Custom",
        Some("custom.v1"),
        &[field("c", "c", 1, one(msg(|| &IN_DEFAULT_FILE)))],
    )
};
static IN_DEFAULT_FILE: MessageSchema = message("Plain", Some("custom.v1"), &[]);

#[test]
fn file_overrides_split_a_package() {
    let set = build_one(&SAME_FILE_OVERRIDE).unwrap();
    let paths: Vec<&str> = set.files().iter().map(|f| f.path.as_str()).collect();
    assert_eq!(paths, ["custom/v1/custom.proto", "custom/place.proto"]);
    assert_eq!(set.files()[1].dependencies(), ["custom/v1/custom.proto"]);
    assert!(set.files().iter().all(|f| f.package == "custom.v1"));
}

static DEEP_CHAIN: [MessageSchema; 3] = [
    message(
        "Chain0",
        None,
        &[field("next", "next", 1, one(msg(|| &DEEP_CHAIN[1])))],
    ),
    message(
        "Chain1",
        None,
        &[field("next", "next", 1, one(msg(|| &DEEP_CHAIN[2])))],
    ),
    message(
        "Chain2",
        None,
        &[field("first", "first", 1, one(msg(|| &DEEP_CHAIN[0])))],
    ),
];

#[test]
fn cycles_between_types_are_fine() {
    let set = build_one(&DEEP_CHAIN[0]).unwrap();
    assert_eq!(set.files()[0].types.len(), 3);
    assert_eq!(
        set.full_name_of_message(&DEEP_CHAIN[2]),
        Some("t.v1.Chain2")
    );
}

#[test]
fn member_number_guards_overflow() {
    assert_eq!(member_number(&SHAPE, 10, 0), Some(10));
    assert_eq!(member_number(&SHAPE, 10, 1), Some(20));
    assert_eq!(member_number(&SHAPE, 10, 2), Some(12));
    assert_eq!(member_number(&SHAPE, u32::MAX, 1), Some(20));
    assert_eq!(member_number(&SHAPE, u32::MAX, 2), None);
    assert_eq!(member_number(&SHAPE, 10, 9), None);
}

#[test]
fn set_is_send_and_sync() {
    fn check<T: Send + Sync + Clone + std::fmt::Debug>() {}
    check::<SchemaSet>();
    check::<SchemaBuilder>();
    check::<SchemaError>();
}

#[test]
fn errors_are_std_errors() {
    fn takes(_: &dyn std::error::Error) {}
    let err = build_one(&ORPHAN).unwrap_err();
    takes(&err);
}
