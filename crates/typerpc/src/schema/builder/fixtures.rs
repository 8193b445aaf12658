//! Hand-written schemas shared by the tests of the schema modules.
#![allow(missing_docs)]

use super::super::model::{
    EnumSchema, EnumValueSchema, FieldSchema, FieldShape, MessageSchema, MethodSchema, OneofSchema,
    OneofVariantSchema, Scalar, ServiceSchema, TypeRef,
};

pub const TEST_PACKAGE: &str = "typerpc.test.v1";
pub const OTHER_PACKAGE: &str = "typerpc.other.v1";

/// A field with the default JSON name and no doc.
pub const fn field(
    name: &'static str,
    json_name: &'static str,
    number: u32,
    shape: FieldShape,
) -> FieldSchema {
    FieldSchema {
        name,
        json_name,
        number,
        shape,
        doc: "",
        default: None,
        rules: "",
    }
}

pub const fn sc(s: Scalar) -> TypeRef {
    TypeRef::Scalar(s)
}

pub const fn msg(f: fn() -> &'static MessageSchema) -> TypeRef {
    TypeRef::Message(f)
}

pub const fn enm(f: fn() -> &'static EnumSchema) -> TypeRef {
    TypeRef::Enum(f)
}

pub const fn one(t: TypeRef) -> FieldShape {
    FieldShape::Singular(t)
}

pub const fn opt(t: TypeRef) -> FieldShape {
    FieldShape::Optional(t)
}

pub const fn rep(t: TypeRef) -> FieldShape {
    FieldShape::Repeated(t)
}

pub const fn map(key: Scalar, value: TypeRef) -> FieldShape {
    FieldShape::Map(key, value)
}

pub const fn oneof(f: fn() -> &'static OneofSchema) -> FieldShape {
    FieldShape::Oneof(f)
}

pub const fn message(
    name: &'static str,
    package: Option<&'static str>,
    fields: &'static [FieldSchema],
) -> MessageSchema {
    MessageSchema {
        name,
        package,
        file: None,
        doc: "",
        fields,
        reserved_numbers: &[],
        reserved_names: &[],
    }
}

pub const fn value(name: &'static str, number: i32) -> EnumValueSchema {
    EnumValueSchema {
        name,
        number,
        doc: "",
    }
}

pub static TIMESTAMP: MessageSchema = MessageSchema {
    name: "Timestamp",
    package: Some("google.protobuf"),
    file: Some("google/protobuf/timestamp.proto"),
    doc: "A point in time.",
    fields: &[
        field("seconds", "seconds", 1, one(sc(Scalar::Int64))),
        field("nanos", "nanos", 2, one(sc(Scalar::Int32))),
    ],
    reserved_numbers: &[],
    reserved_names: &[],
};

pub static COLOR: EnumSchema = EnumSchema {
    name: "Color",
    package: None,
    file: None,
    doc: "A colour.\n\nThe zero value means unset.",
    values: &[
        EnumValueSchema {
            name: "COLOR_UNSPECIFIED",
            number: 0,
            doc: "Not set.",
        },
        value("COLOR_RED", 1),
        value("COLOR_GREEN", 2),
        value("COLOR_BLUE", -3),
    ],
};

pub static SCALARS: MessageSchema = MessageSchema {
    name: "Scalars",
    package: None,
    file: None,
    doc: "Every scalar type.",
    fields: &[
        FieldSchema {
            doc: "A double.\nOn two lines.",
            ..field("f_double", "fDouble", 1, one(sc(Scalar::Double)))
        },
        field("f_float", "fFloat", 2, one(sc(Scalar::Float))),
        field("f_int32", "fInt32", 3, one(sc(Scalar::Int32))),
        field("f_int64", "fInt64", 4, one(sc(Scalar::Int64))),
        field("f_uint32", "fUint32", 5, one(sc(Scalar::Uint32))),
        field("f_uint64", "fUint64", 6, one(sc(Scalar::Uint64))),
        field("f_sint32", "fSint32", 7, one(sc(Scalar::Sint32))),
        field("f_sint64", "fSint64", 8, one(sc(Scalar::Sint64))),
        field("f_fixed32", "fFixed32", 9, one(sc(Scalar::Fixed32))),
        field("f_fixed64", "fFixed64", 10, one(sc(Scalar::Fixed64))),
        field("f_sfixed32", "fSfixed32", 11, one(sc(Scalar::Sfixed32))),
        field("f_sfixed64", "fSfixed64", 12, one(sc(Scalar::Sfixed64))),
        field("f_bool", "fBool", 13, one(sc(Scalar::Bool))),
        field("f_string", "fString", 14, one(sc(Scalar::String))),
        field("f_bytes", "fBytes", 15, one(sc(Scalar::Bytes))),
    ],
    reserved_numbers: &[],
    reserved_names: &[],
};

pub static CIRCLE: MessageSchema = message(
    "Circle",
    None,
    &[field("radius", "radius", 1, one(sc(Scalar::Double)))],
);

pub static SHAPE: OneofSchema = OneofSchema {
    rust_name: "Shape",
    doc: "A shape.",
    variants: &[
        OneofVariantSchema {
            name: "circle",
            json_name: "circle",
            number: None,
            ty: msg(|| &CIRCLE),
            doc: "A circle.",
        },
        OneofVariantSchema {
            name: "square",
            json_name: "square",
            number: Some(20),
            ty: sc(Scalar::Double),
            doc: "",
        },
        OneofVariantSchema {
            name: "label_text",
            json_name: "label",
            number: None,
            ty: sc(Scalar::String),
            doc: "",
        },
        OneofVariantSchema {
            name: "color_choice",
            json_name: "colorChoice",
            number: None,
            ty: enm(|| &COLOR),
            doc: "",
        },
    ],
};

pub static OUTER: MessageSchema = MessageSchema {
    name: "Outer",
    package: None,
    file: None,
    doc: "Holds nested types.",
    fields: &[
        field("inner", "inner", 1, one(msg(|| &INNER))),
        field("kind", "kind", 2, one(enm(|| &OUTER_KIND))),
        field("deep", "deep", 3, rep(msg(|| &DEEP))),
    ],
    reserved_numbers: &[],
    reserved_names: &[],
};

pub static INNER: MessageSchema = MessageSchema {
    doc: "Nested in Outer.",
    ..message(
        "Outer.Inner",
        None,
        &[
            field("value", "value", 1, one(sc(Scalar::String))),
            field("kind", "kind", 2, one(enm(|| &OUTER_KIND))),
            field("deep", "deep", 3, one(msg(|| &DEEP))),
        ],
    )
};

pub static DEEP: MessageSchema = message(
    "Outer.Inner.Deep",
    None,
    &[
        field("color", "color", 1, one(enm(|| &COLOR))),
        field("outer", "outer", 2, opt(msg(|| &OUTER))),
    ],
);

pub static OUTER_KIND: EnumSchema = EnumSchema {
    name: "Outer.Kind",
    package: None,
    file: None,
    doc: "",
    values: &[
        value("KIND_UNSPECIFIED", 0),
        value("KIND_A", 1),
        value("KIND_B", 2),
    ],
};

pub static NODE: MessageSchema = message(
    "Node",
    None,
    &[
        field("name", "name", 1, one(sc(Scalar::String))),
        field("children", "children", 2, rep(msg(|| &NODE))),
        field("parent", "parent", 3, one(msg(|| &NODE))),
    ],
);

pub static EVERYTHING: MessageSchema = MessageSchema {
    name: "Everything",
    package: Some(TEST_PACKAGE),
    file: None,
    doc: "Every shape of field.",
    fields: &[
        FieldSchema {
            doc: "How many.",
            default: Some("10"),
            rules: "",
            ..field("limit", "limit", 1, opt(sc(Scalar::Int32)))
        },
        field("color", "color", 2, opt(enm(|| &COLOR))),
        field("tags", "tags", 3, rep(sc(Scalar::String))),
        field("many", "many", 4, rep(msg(|| &SCALARS))),
        field("colors", "colors", 5, rep(enm(|| &COLOR))),
        field(
            "counts",
            "counts",
            6,
            map(Scalar::String, sc(Scalar::Int64)),
        ),
        field("by_id", "byId", 7, map(Scalar::Int32, msg(|| &SCALARS))),
        field("flags", "flags", 8, map(Scalar::Bool, enm(|| &COLOR))),
        field(
            "names",
            "nameMap",
            9,
            map(Scalar::Uint64, sc(Scalar::String)),
        ),
        FieldSchema {
            doc: "Which shape.",
            ..field("shape", "shape", 10, oneof(|| &SHAPE))
        },
        field("inner", "inner", 23, one(msg(|| &INNER))),
        field("kind", "kind", 14, one(enm(|| &OUTER_KIND))),
        field("tree", "tree", 15, one(msg(|| &NODE))),
        field("created_at", "createdAt", 16, one(msg(|| &TIMESTAMP))),
        field("maybe", "maybe", 17, opt(msg(|| &SCALARS))),
        field("outer", "outer", 18, one(msg(|| &OUTER))),
        field(
            "sizes",
            "sizes",
            19,
            map(Scalar::Sfixed64, sc(Scalar::Bytes)),
        ),
        field("json_odd", "json \"odd\" \u{e9}", 21, one(sc(Scalar::Bool))),
        field("stamps", "stamps", 22, rep(msg(|| &TIMESTAMP))),
    ],
    reserved_numbers: &[
        (30, 30),
        (40, 45),
        (MAX_RESERVED_START, super::MAX_FIELD_NUMBER),
    ],
    reserved_names: &["old_name", "legacy"],
};

pub const MAX_RESERVED_START: u32 = 1_000_000;

pub static WRAPPER: MessageSchema = MessageSchema {
    name: "Wrapper",
    package: Some(OTHER_PACKAGE),
    file: None,
    doc: "",
    fields: &[
        field("everything", "everything", 1, one(msg(|| &EVERYTHING))),
        field("color", "color", 2, one(enm(|| &COLOR))),
        field("when", "when", 3, one(msg(|| &TIMESTAMP))),
        field("ping", "ping", 4, one(msg(|| &PING))),
    ],
    reserved_numbers: &[],
    reserved_names: &[],
};

pub static PING: MessageSchema = message(
    "Ping",
    None,
    &[field("seq", "seq", 1, one(sc(Scalar::Uint32)))],
);

const fn method(
    name: &'static str,
    input: fn() -> &'static MessageSchema,
    output: fn() -> &'static MessageSchema,
    client_streaming: bool,
    server_streaming: bool,
    idempotent: bool,
) -> MethodSchema {
    MethodSchema {
        name,
        input,
        output,
        client_streaming,
        server_streaming,
        idempotent,
        doc: "",
    }
}

pub static OTHER_SERVICE: ServiceSchema = ServiceSchema {
    name: "OtherService",
    package: OTHER_PACKAGE,
    doc: "Streams of every shape.\nSecond line.",
    methods: &[
        MethodSchema {
            doc: "Reads without side effects.",
            ..method(
                "GetEverything",
                || &EVERYTHING,
                || &WRAPPER,
                false,
                false,
                true,
            )
        },
        method("Upload", || &PING, || &WRAPPER, true, false, false),
        method("Watch", || &WRAPPER, || &PING, false, true, false),
        method("Chat", || &PING, || &PING, true, true, false),
        method("Now", || &PING, || &TIMESTAMP, false, false, false),
    ],
};

/// The rich schema: both packages, the well-known Timestamp.
pub fn rich_builder() -> super::SchemaBuilder {
    let mut builder = super::SchemaBuilder::new().default_package(TEST_PACKAGE);
    builder.add_message(&EVERYTHING).add_service(&OTHER_SERVICE);
    builder
}

// Names that shadow each other, to exercise reference rendering.
pub static THING: MessageSchema = message("Thing", None, &[]);
pub static GOOGLE: MessageSchema = message("google", None, &[]);
pub static STRING_MESSAGE: MessageSchema = message("string", None, &[]);
pub static VALUE_MESSAGE: MessageSchema = message("value", None, &[]);
pub static BOX_THING: MessageSchema = message("Box.Thing", None, &[]);
pub static BOX: MessageSchema = message(
    "Box",
    None,
    &[
        field("mine", "mine", 1, one(msg(|| &BOX_THING))),
        field("top", "top", 2, one(msg(|| &THING))),
        field("at", "at", 3, one(msg(|| &TIMESTAMP))),
        field("keyword", "keyword", 4, one(msg(|| &STRING_MESSAGE))),
        field(
            "by_key",
            "byKey",
            5,
            map(Scalar::String, msg(|| &STRING_MESSAGE)),
        ),
        field(
            "values",
            "values",
            6,
            map(Scalar::Int32, msg(|| &VALUE_MESSAGE)),
        ),
        field("g", "g", 7, one(msg(|| &GOOGLE))),
        field("far", "far", 8, one(msg(|| &FAR))),
    ],
);
/// In package `v1.far`, referred to from `shadow.v1`, where `v1`
/// first finds the package `shadow.v1`.
pub static FAR: MessageSchema = message("Far", Some("v1.far"), &[]);
pub static CRATE_SHADOW: MessageSchema = message("Crate.shadow", None, &[]);
pub static CRATE_THING: MessageSchema = message("Crate.Thing", None, &[]);
pub static CRATE: MessageSchema = message(
    "Crate",
    None,
    &[
        field("top", "top", 1, one(msg(|| &THING))),
        field("nested", "nested", 2, one(msg(|| &CRATE_SHADOW))),
        field("own", "own", 3, one(msg(|| &CRATE_THING))),
    ],
);
pub static SHADOW_SERVICE: ServiceSchema = ServiceSchema {
    name: "Svc",
    package: "shadow.v1",
    doc: "",
    methods: &[method("Thing", || &THING, || &BOX, false, false, false)],
};

/// A schema whose references need qualification to resolve correctly.
pub fn shadowing_set() -> super::SchemaSet {
    let mut builder = super::SchemaBuilder::new().default_package("shadow.v1");
    builder
        .add_message(&BOX)
        .add_message(&CRATE)
        .add_service(&SHADOW_SERVICE);
    match builder.build() {
        Ok(set) => set,
        Err(err) => panic!("shadowing schema: {err}"),
    }
}

/// Compiles the text of every file of `set` that is not a well-known
/// one with protox (the well-known ones come from protox's own copies),
/// panicking with protox's message on failure.
pub fn compile_with_protox(set: &super::SchemaSet) -> prost_types::FileDescriptorSet {
    use protox::file::{ChainFileResolver, File, FileResolver, GoogleFileResolver};
    use std::collections::HashMap;

    struct Sources(HashMap<String, String>);
    impl FileResolver for Sources {
        fn open_file(&self, name: &str) -> Result<File, protox::Error> {
            match self.0.get(name) {
                Some(source) => File::from_source(name, source),
                None => Err(protox::Error::file_not_found(name)),
            }
        }
    }

    let sources: HashMap<String, String> = set
        .files()
        .iter()
        .filter(|f| !f.is_well_known())
        .map(|f| (f.path.clone(), set.proto_text(f)))
        .collect();
    let mut chain = ChainFileResolver::new();
    chain.add(Sources(sources.clone()));
    chain.add(GoogleFileResolver::new());
    let mut compiler = protox::Compiler::with_file_resolver(chain);
    compiler.include_imports(true);
    compiler.include_source_info(true);
    for file in set.files().iter().filter(|f| !f.is_well_known()) {
        if let Err(err) = compiler.open_file(&file.path) {
            panic!(
                "protox rejected {}: {err:?}\n{}",
                file.path,
                sources.get(&file.path).map_or("", String::as_str)
            );
        }
    }
    compiler.file_descriptor_set()
}
