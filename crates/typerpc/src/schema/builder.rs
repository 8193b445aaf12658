//! Resolving a set of static schemas into `.proto` files.
//!
//! [`SchemaBuilder`] takes root messages, enums and services, walks
//! everything they refer to, decides which package and file each type lives
//! in, checks that the result is a valid protobuf schema, and hands back a
//! [`SchemaSet`] from which `.proto` text ([`super::proto_text`]) and
//! descriptors ([`super::descriptor`]) are rendered.
//!
//! Types are identified by the address of their `&'static` schema, never by
//! name: two Rust types that claim the same proto name are a conflict to
//! report, not one type.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;

use prost_types::{FileDescriptorProto, FileDescriptorSet};

use super::model::{
    EnumSchema, FieldShape, MessageSchema, OneofSchema, Scalar, ServiceSchema, TypeRef,
};
use super::naming;

/// The largest field number protobuf allows (2^29 - 1).
pub(super) const MAX_FIELD_NUMBER: u32 = 536_870_911;

/// Field numbers reserved by the protobuf implementation itself.
const IMPLEMENTATION_RESERVED: std::ops::RangeInclusive<u32> = 19_000..=19_999;

/// Collects root types and services and resolves them into a [`SchemaSet`].
///
/// ```ignore
/// let mut builder = SchemaBuilder::new().default_package("acme.shop.v1");
/// builder.add_service(&SHOP_SERVICE).add_message(&AUDIT_EVENT);
/// let set = builder.build()?;
/// for file in set.files() {
///     std::fs::write(&file.path, set.proto_text(file))?;
/// }
/// ```
///
/// Everything reachable from the roots is included: message fields of every
/// shape, oneof members, map values, and method inputs and outputs. The walk
/// is depth-first pre-order over fields in declaration order, starting from
/// the roots in the order they were added; that order is also the order of
/// the types inside each file, so the output is stable.
///
/// A type whose schema has no package takes the package of the first type or
/// service from which the walk reached it; a root without a package takes
/// the [default package](Self::default_package).
#[derive(Clone, Debug, Default)]
pub struct SchemaBuilder {
    default_package: Option<String>,
    roots: Vec<Root>,
}

/// One root handed to the builder.
#[derive(Clone, Copy, Debug)]
enum Root {
    Type(TypeDef),
    Service(&'static ServiceSchema),
}

impl SchemaBuilder {
    /// An empty builder without a default package.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the package of root types that declare none (and, through them,
    /// of the types they reach that declare none either).
    #[must_use]
    pub fn default_package(mut self, package: impl Into<String>) -> Self {
        self.default_package = Some(package.into());
        self
    }

    /// Adds a message and everything it refers to.
    pub fn add_message(&mut self, message: &'static MessageSchema) -> &mut Self {
        self.roots.push(Root::Type(TypeDef::Message(message)));
        self
    }

    /// Adds an enum.
    pub fn add_enum(&mut self, enum_: &'static EnumSchema) -> &mut Self {
        self.roots.push(Root::Type(TypeDef::Enum(enum_)));
        self
    }

    /// Adds a service and the messages its methods take and return.
    pub fn add_service(&mut self, service: &'static ServiceSchema) -> &mut Self {
        self.roots.push(Root::Service(service));
        self
    }

    /// Resolves packages, files and nesting, and checks the whole schema.
    ///
    /// # Errors
    ///
    /// A [`SchemaError`] when the schema could not be written as valid
    /// `.proto` files: a root without any package, invalid names or
    /// numbers, two definitions with one full name, a nested type without
    /// its parent, conflicting file assignments, or files that would import
    /// each other.
    pub fn build(self) -> Result<SchemaSet, SchemaError> {
        let walk = Walk::run(&self.roots, self.default_package.as_deref())?;
        resolve(walk)
    }
}

/// Why a set of schemas cannot be turned into `.proto` files.
///
/// Each message says what is wrong and how to fix it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SchemaError {
    /// A root type declares no package and the builder has no default.
    MissingPackage {
        /// `message Foo` or `enum Foo`.
        type_name: String,
    },
    /// A name that protobuf does not accept.
    InvalidName {
        /// What carries the name (`field of message acme.v1.Foo`, ...).
        what: String,
        /// The name as given.
        name: String,
        /// What is wrong with it.
        problem: String,
    },
    /// Two different definitions share one full name.
    DuplicateName {
        /// The full name both claim.
        full_name: String,
        /// The definition met first.
        first: String,
        /// The definition met second.
        second: String,
    },
    /// A dotted (nested) type whose parent message is not in the schema.
    MissingParent {
        /// The full name of the nested type.
        type_name: String,
        /// The full name of the parent it needs.
        parent: String,
        /// What was found instead.
        problem: String,
    },
    /// Types that cannot share, or cannot be placed in, one file.
    FileConflict {
        /// The file path concerned.
        path: String,
        /// What conflicts.
        problem: String,
    },
    /// Files that would import each other, which protobuf forbids.
    ImportCycle {
        /// The files of the cycle, the first repeated at the end.
        cycle: Vec<String>,
        /// For each import of the cycle, a reference that causes it.
        reasons: Vec<String>,
    },
    /// A field or enum number that protobuf does not accept.
    InvalidNumber {
        /// Where the number is (`field foo of message acme.v1.Foo`).
        what: String,
        /// What is wrong with it.
        problem: String,
    },
}

impl fmt::Display for SchemaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SchemaError::MissingPackage { type_name } => write!(
                f,
                "{type_name} declares no package and was added as a root, so it cannot inherit \
                 one; declare a package on the type, or call `SchemaBuilder::default_package` \
                 before `build`"
            ),
            SchemaError::InvalidName {
                what,
                name,
                problem,
            } => write!(f, "invalid {what} `{name}`: {problem}"),
            SchemaError::DuplicateName {
                full_name,
                first,
                second,
            } => write!(
                f,
                "`{full_name}` is defined twice, as {first} and as {second}; full names must be \
                 unique in protobuf: rename one of them or move it to another package"
            ),
            SchemaError::MissingParent {
                type_name,
                parent,
                problem,
            } => write!(
                f,
                "the nested type `{type_name}` must be declared inside the message `{parent}`, \
                 but {problem}; add that message to the schema (a root or a field type) in the \
                 same package, or remove the dot from the nested type's name"
            ),
            SchemaError::FileConflict { path, problem } => {
                write!(f, "cannot write `{path}`: {problem}")
            }
            SchemaError::ImportCycle { cycle, reasons } => write!(
                f,
                "the files {} would import each other ({}), and protobuf forbids import cycles; \
                 put the types that refer to each other in one package, or give them the same \
                 `file`",
                cycle.join(" -> "),
                reasons.join("; ")
            ),
            SchemaError::InvalidNumber { what, problem } => write!(f, "{what}: {problem}"),
        }
    }
}

impl std::error::Error for SchemaError {}

/// A message or enum schema.
#[derive(Clone, Copy, Debug)]
pub(super) enum TypeDef {
    /// A message.
    Message(&'static MessageSchema),
    /// An enum.
    Enum(&'static EnumSchema),
}

impl TypeDef {
    /// The name inside the package, dotted when nested.
    pub(super) fn name(self) -> &'static str {
        match self {
            TypeDef::Message(m) => m.name,
            TypeDef::Enum(e) => e.name,
        }
    }

    /// The name inside the parent: the last segment of [`Self::name`].
    pub(super) fn short_name(self) -> &'static str {
        let name = self.name();
        name.rsplit('.').next().unwrap_or(name)
    }

    fn package(self) -> Option<&'static str> {
        match self {
            TypeDef::Message(m) => m.package,
            TypeDef::Enum(e) => e.package,
        }
    }

    fn file(self) -> Option<&'static str> {
        match self {
            TypeDef::Message(m) => m.file,
            TypeDef::Enum(e) => e.file,
        }
    }

    fn kind(self) -> &'static str {
        match self {
            TypeDef::Message(_) => "message",
            TypeDef::Enum(_) => "enum",
        }
    }

    fn key(self) -> TypeKey {
        match self {
            TypeDef::Message(m) => TypeKey::message(m),
            TypeDef::Enum(e) => TypeKey::enum_(e),
        }
    }
}

/// The identity of a type: its kind and the address of its static schema.
///
/// Addresses are kept as integers so that the set stays `Send + Sync`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum TypeKey {
    Message(usize),
    Enum(usize),
}

impl TypeKey {
    fn message(schema: &'static MessageSchema) -> Self {
        TypeKey::Message(std::ptr::from_ref(schema) as usize)
    }

    fn enum_(schema: &'static EnumSchema) -> Self {
        TypeKey::Enum(std::ptr::from_ref(schema) as usize)
    }
}

/// A resolved value type: a scalar or a type of the set (by index).
#[derive(Clone, Copy, Debug)]
pub(super) enum Target {
    /// A scalar.
    Scalar(Scalar),
    /// The type at this index of [`SchemaSet::types`].
    Type(usize),
}

/// One member of a oneof with its resolved type and number.
#[derive(Clone, Copy, Debug)]
pub(super) struct Member {
    /// The member's value type.
    pub(super) target: Target,
    /// The member's field number.
    pub(super) number: u32,
}

/// The resolved types of one [`FieldSchema`](super::model::FieldSchema),
/// parallel to the message's `fields`.
#[derive(Clone, Debug)]
pub(super) enum FieldTarget {
    /// Singular, optional and repeated fields.
    Value(Target),
    /// A map field's key and value.
    Map(Scalar, Target),
    /// A oneof's schema and its members, parallel to its variants.
    Oneof(&'static OneofSchema, Vec<Member>),
}

/// A message or enum with everything the renderers need to know about it.
#[derive(Clone, Debug)]
pub(super) struct ResolvedType {
    /// The schema.
    pub(super) def: TypeDef,
    /// The package it ended up in.
    pub(super) package: String,
    /// `package.Name`, dotted for nested types.
    pub(super) full_name: String,
    /// The message it is nested in.
    pub(super) parent: Option<usize>,
    /// The types nested in it, in discovery order.
    pub(super) nested: Vec<usize>,
    /// For messages: the resolved types of its fields, parallel to `fields`.
    pub(super) fields: Vec<FieldTarget>,
    /// The index of its file in [`SchemaSet::files`].
    pub(super) file: usize,
}

/// A service with its methods' resolved input and output types.
#[derive(Clone, Debug)]
pub(super) struct ResolvedService {
    /// The schema.
    pub(super) schema: &'static ServiceSchema,
    /// `package.Name`.
    pub(super) full_name: String,
    /// `(input, output)` type indices, parallel to `methods`.
    pub(super) methods: Vec<(usize, usize)>,
}

/// What kind of definition a full name denotes, as protobuf's name
/// resolution sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum SymbolKind {
    /// A package or one of its prefixes.
    Package,
    /// A message (map entries included).
    Message,
    /// An enum.
    Enum,
    /// A field.
    Field,
    /// A oneof (synthetic ones included).
    Oneof,
    /// An enum value (scoped beside its enum, as in C++).
    EnumValue,
    /// A service.
    Service,
    /// A method.
    Method,
}

impl SymbolKind {
    /// Whether names can be looked up inside it.
    pub(super) fn is_aggregate(self) -> bool {
        matches!(
            self,
            SymbolKind::Package | SymbolKind::Message | SymbolKind::Enum | SymbolKind::Service
        )
    }
}

/// One `.proto` file of a [`SchemaSet`].
#[derive(Clone, Debug)]
pub struct ProtoFile {
    /// The path, relative to the include root
    /// (`connectrpc/conformance/v1/conformance.proto`).
    pub path: String,
    /// The package (`connectrpc.conformance.v1`).
    pub package: String,
    /// Top-level types in discovery order (indices into `SchemaSet::types`).
    pub(super) types: Vec<usize>,
    /// Services in the order they were added (indices into
    /// `SchemaSet::services`).
    pub(super) services: Vec<usize>,
    /// Paths of the files this one imports, sorted.
    pub(super) dependencies: Vec<String>,
}

impl ProtoFile {
    /// The paths of the files this file imports, sorted.
    pub fn dependencies(&self) -> &[String] {
        &self.dependencies
    }

    /// Whether this is one of protobuf's well-known type files
    /// (`google/protobuf/...`), which protoc and every runtime already ship:
    /// callers usually skip writing these.
    pub fn is_well_known(&self) -> bool {
        self.path.starts_with("google/protobuf/")
    }
}

/// A resolved, checked schema: the files, their types and services.
///
/// Built by [`SchemaBuilder::build`]. Methods that take a [`ProtoFile`]
/// expect one of this set's own [`files`](Self::files).
#[derive(Clone, Debug)]
pub struct SchemaSet {
    files: Vec<ProtoFile>,
    pub(super) types: Vec<ResolvedType>,
    pub(super) services: Vec<ResolvedService>,
    ids: HashMap<TypeKey, usize>,
    pub(super) symbols: HashMap<String, SymbolKind>,
}

impl SchemaSet {
    /// The files, each after every file it imports.
    pub fn files(&self) -> &[ProtoFile] {
        &self.files
    }

    /// The file at `path`.
    pub fn file(&self, path: &str) -> Option<&ProtoFile> {
        self.files.iter().find(|f| f.path == path)
    }

    /// The full proto name (`acme.v1.Order`, no leading dot) of a message of
    /// the set.
    pub fn full_name_of_message(&self, message: &'static MessageSchema) -> Option<&str> {
        self.full_name_of(TypeKey::message(message))
    }

    /// The full proto name of an enum of the set.
    pub fn full_name_of_enum(&self, enum_: &'static EnumSchema) -> Option<&str> {
        self.full_name_of(TypeKey::enum_(enum_))
    }

    /// The full proto name of a service of the set.
    pub fn full_name_of_service(&self, service: &'static ServiceSchema) -> Option<&str> {
        self.services
            .iter()
            .find(|s| std::ptr::eq(s.schema, service))
            .map(|s| s.full_name.as_str())
    }

    fn full_name_of(&self, key: TypeKey) -> Option<&str> {
        let id = *self.ids.get(&key)?;
        self.types.get(id).map(|t| t.full_name.as_str())
    }

    /// The `.proto` source of `file`.
    pub fn proto_text(&self, file: &ProtoFile) -> String {
        super::proto_text::render(self, file)
    }

    /// The descriptor of `file`, as protoc would compile [`Self::proto_text`]
    /// (without source code info).
    pub fn file_descriptor(&self, file: &ProtoFile) -> FileDescriptorProto {
        super::descriptor::file_descriptor(self, file)
    }

    /// The descriptors of all files, each after the files it imports.
    pub fn file_descriptor_set(&self) -> FileDescriptorSet {
        FileDescriptorSet {
            file: self.files.iter().map(|f| self.file_descriptor(f)).collect(),
        }
    }

    /// Whether `file` is a well-known type file; see
    /// [`ProtoFile::is_well_known`].
    pub fn is_well_known(&self, file: &ProtoFile) -> bool {
        file.is_well_known()
    }

    /// The type at `index`.
    pub(super) fn ty(&self, index: usize) -> Option<&ResolvedType> {
        self.types.get(index)
    }
}

// ---------------------------------------------------------------------------
// The walk: discovery order, packages and references.
// ---------------------------------------------------------------------------

/// One type met by the walk.
struct Record {
    def: TypeDef,
    package: String,
    visited: bool,
    fields: Vec<FieldTarget>,
}

/// A type or service in discovery order.
#[derive(Clone, Copy)]
enum Item {
    Type(usize),
    Service(usize),
}

/// The result of walking the roots.
struct Walk {
    ids: HashMap<TypeKey, usize>,
    records: Vec<Record>,
    services: Vec<(&'static ServiceSchema, Vec<(usize, usize)>)>,
    discovery: Vec<Item>,
}

impl Walk {
    fn run(roots: &[Root], default_package: Option<&str>) -> Result<Walk, SchemaError> {
        let mut walk = Walk {
            ids: HashMap::new(),
            records: Vec::new(),
            services: Vec::new(),
            discovery: Vec::new(),
        };
        let mut seen_services = HashSet::new();
        for root in roots {
            match *root {
                Root::Type(def) => {
                    let id = walk.id_of(def);
                    if walk.records.get(id).is_some_and(|r| r.visited) {
                        continue;
                    }
                    let inherited = match (def.package(), default_package) {
                        (Some(package), _) | (None, Some(package)) => package,
                        (None, None) => {
                            return Err(SchemaError::MissingPackage {
                                type_name: format!("{} `{}`", def.kind(), def.name()),
                            })
                        }
                    };
                    walk.drain(vec![(id, inherited.to_string())]);
                }
                Root::Service(service) => {
                    if !seen_services.insert(std::ptr::from_ref(service) as usize) {
                        continue;
                    }
                    let mut methods = Vec::with_capacity(service.methods.len());
                    let mut children = Vec::new();
                    for method in service.methods {
                        let input = walk.id_of(TypeDef::Message((method.input)()));
                        let output = walk.id_of(TypeDef::Message((method.output)()));
                        methods.push((input, output));
                        children.extend([input, output]);
                    }
                    walk.discovery.push(Item::Service(walk.services.len()));
                    walk.services.push((service, methods));
                    let stack = children
                        .into_iter()
                        .rev()
                        .map(|id| (id, service.package.to_string()))
                        .collect();
                    walk.drain(stack);
                }
            }
        }
        Ok(walk)
    }

    /// The id of a type, registering it (unvisited) on first sight.
    fn id_of(&mut self, def: TypeDef) -> usize {
        let next = self.records.len();
        let id = *self.ids.entry(def.key()).or_insert(next);
        if id == next {
            self.records.push(Record {
                def,
                package: String::new(),
                visited: false,
                fields: Vec::new(),
            });
        }
        id
    }

    fn target(&mut self, ty: TypeRef, children: &mut Vec<usize>) -> Target {
        let def = match ty {
            TypeRef::Scalar(scalar) => return Target::Scalar(scalar),
            TypeRef::Message(f) => TypeDef::Message(f()),
            TypeRef::Enum(f) => TypeDef::Enum(f()),
        };
        let id = self.id_of(def);
        children.push(id);
        Target::Type(id)
    }

    /// Depth-first pre-order from the entries on `stack` (the top is
    /// visited first). Each entry carries the package of the type or service
    /// that reached it. An explicit stack keeps deep schemas off the call
    /// stack; checking `visited` when popping (not when pushing) gives the
    /// same order as the recursive walk.
    fn drain(&mut self, mut stack: Vec<(usize, String)>) {
        while let Some((id, inherited)) = stack.pop() {
            let Some(record) = self.records.get(id) else {
                continue;
            };
            if record.visited {
                continue;
            }
            let def = record.def;
            let package = def.package().map_or(inherited, str::to_string);
            let mut children = Vec::new();
            let mut fields = Vec::new();
            if let TypeDef::Message(message) = def {
                fields.reserve(message.fields.len());
                for field in message.fields {
                    let target = match field.shape {
                        FieldShape::Singular(ty)
                        | FieldShape::Optional(ty)
                        | FieldShape::Repeated(ty) => {
                            FieldTarget::Value(self.target(ty, &mut children))
                        }
                        FieldShape::Map(key, value) => {
                            FieldTarget::Map(key, self.target(value, &mut children))
                        }
                        FieldShape::Oneof(oneof) => {
                            let oneof = oneof();
                            let members = (0..oneof.variants.len())
                                .filter_map(|i| {
                                    let variant = oneof.variants.get(i)?;
                                    Some(Member {
                                        target: self.target(variant.ty, &mut children),
                                        // 0 is never valid, so an overflowing
                                        // number is reported by validation.
                                        number: member_number(oneof, field.number, i).unwrap_or(0),
                                    })
                                })
                                .collect();
                            FieldTarget::Oneof(oneof, members)
                        }
                    };
                    fields.push(target);
                }
            }
            if let Some(record) = self.records.get_mut(id) {
                record.visited = true;
                record.package = package.clone();
                record.fields = fields;
            }
            self.discovery.push(Item::Type(id));
            for child in children.into_iter().rev() {
                if self.records.get(child).is_some_and(|r| !r.visited) {
                    stack.push((child, package.clone()));
                }
            }
        }
    }
}

/// The number of the oneof member at `index` ([`OneofSchema::number`]),
/// or `None` where the implicit `base + index` would overflow.
fn member_number(oneof: &OneofSchema, base: u32, index: usize) -> Option<u32> {
    let variant = oneof.variants.get(index)?;
    let fits = u32::try_from(index)
        .ok()
        .and_then(|i| base.checked_add(i))
        .is_some();
    (variant.number.is_some() || fits).then(|| oneof.number(base, index))
}

// ---------------------------------------------------------------------------
// Resolution: names, nesting, files, symbols, imports.
// ---------------------------------------------------------------------------

/// A file being assembled.
struct FileDraft {
    path: String,
    package: String,
    /// Where the package came from, for conflict messages.
    package_origin: String,
    types: Vec<usize>,
    services: Vec<usize>,
    /// Imported file index -> one reference that causes the import.
    deps: BTreeMap<usize, String>,
}

/// Turns the walk into a checked [`SchemaSet`], one step at a time.
fn resolve(walk: Walk) -> Result<SchemaSet, SchemaError> {
    let Walk {
        ids,
        records,
        services,
        discovery,
    } = walk;
    validate_all(&records, &services, &discovery)?;

    let mut types: Vec<ResolvedType> = records
        .into_iter()
        .map(|r| ResolvedType {
            full_name: join(&r.package, r.def.name()),
            def: r.def,
            package: r.package,
            parent: None,
            nested: Vec::new(),
            fields: r.fields,
            file: 0,
        })
        .collect();
    let services: Vec<ResolvedService> = services
        .into_iter()
        .map(|(schema, methods)| ResolvedService {
            full_name: join(schema.package, schema.name),
            schema,
            methods,
        })
        .collect();
    // Types in discovery order (ids are in order of first sight instead).
    let order: Vec<usize> = discovery
        .iter()
        .filter_map(|item| match item {
            Item::Type(id) => Some(*id),
            Item::Service(_) => None,
        })
        .collect();

    let by_name = index_type_names(&types, &order)?;
    link_parents(&mut types, &order, &by_name)?;
    let mut drafts = assign_files(&mut types, &services, &discovery, &order)?;
    let symbols = collect_symbols(&types, &order, &services, &drafts)?;
    collect_imports(&types, &order, &services, &mut drafts);
    let topo = topological_order(&drafts)?;
    let files = finish_files(drafts, &topo, &mut types);

    Ok(SchemaSet {
        files,
        types,
        services,
        ids,
        symbols,
    })
}

/// Checks names and numbers of every type and service, in discovery order
/// so that the first problem reported is stable.
fn validate_all(
    records: &[Record],
    services: &[(&'static ServiceSchema, Vec<(usize, usize)>)],
    discovery: &[Item],
) -> Result<(), SchemaError> {
    for item in discovery {
        match *item {
            Item::Type(id) => {
                if let Some(record) = records.get(id) {
                    validate_type(record)?;
                }
            }
            Item::Service(sid) => {
                if let Some((service, _)) = services.get(sid) {
                    validate_service(service)?;
                }
            }
        }
    }
    Ok(())
}

/// Maps full names to types, rejecting two types with one name (which
/// would otherwise silently become one type in every descriptor).
fn index_type_names(
    types: &[ResolvedType],
    order: &[usize],
) -> Result<HashMap<String, usize>, SchemaError> {
    let mut by_name: HashMap<String, usize> = HashMap::with_capacity(order.len());
    for &id in order {
        let Some(ty) = types.get(id) else { continue };
        if let Some(&first) = by_name.get(&ty.full_name) {
            let first_kind = types.get(first).map_or("type", |t| t.def.kind());
            return Err(SchemaError::DuplicateName {
                full_name: ty.full_name.clone(),
                first: format!("a {first_kind}"),
                second: format!("a different {} (another Rust type)", ty.def.kind()),
            });
        }
        by_name.insert(ty.full_name.clone(), id);
    }
    Ok(by_name)
}

/// Nests each dotted type (`Outer.Inner`) in the message of its package
/// named by everything before the last dot.
fn link_parents(
    types: &mut [ResolvedType],
    order: &[usize],
    by_name: &HashMap<String, usize>,
) -> Result<(), SchemaError> {
    for &id in order {
        let Some(ty) = types.get(id) else { continue };
        let Some((parent_name, _)) = ty.def.name().rsplit_once('.') else {
            continue;
        };
        let parent_full = join(&ty.package, parent_name);
        let parent = match by_name.get(&parent_full) {
            Some(&p) if matches!(types.get(p).map(|t| t.def), Some(TypeDef::Message(_))) => p,
            Some(_) => {
                return Err(SchemaError::MissingParent {
                    type_name: ty.full_name.clone(),
                    parent: parent_full,
                    problem: "that name is an enum, and only messages can contain types".into(),
                })
            }
            None => {
                // Say so when the parent exists in another package: the
                // usual cause is a nested type that floated elsewhere.
                let elsewhere: Vec<&str> = types
                    .iter()
                    .filter(|t| t.def.name() == parent_name && t.package != ty.package)
                    .map(|t| t.package.as_str())
                    .collect();
                let problem = if elsewhere.is_empty() {
                    "no such message is part of the schema".to_string()
                } else {
                    format!(
                        "that message is only found in package `{}`, not in `{}`",
                        elsewhere.join("`, `"),
                        ty.package
                    )
                };
                return Err(SchemaError::MissingParent {
                    type_name: ty.full_name.clone(),
                    parent: parent_full,
                    problem,
                });
            }
        };
        if let Some(t) = types.get_mut(id) {
            t.parent = Some(parent);
        }
        if let Some(p) = types.get_mut(parent) {
            p.nested.push(id);
        }
    }
    Ok(())
}

/// Places top-level types (by `file`, else by package) and services (by
/// package) in files, created in discovery order; nested types go to the
/// file of their outermost parent.
fn assign_files(
    types: &mut [ResolvedType],
    services: &[ResolvedService],
    discovery: &[Item],
    order: &[usize],
) -> Result<Vec<FileDraft>, SchemaError> {
    let mut drafts: Vec<FileDraft> = Vec::new();
    let mut by_path: HashMap<String, usize> = HashMap::new();
    for item in discovery {
        let (path, package, origin) = match *item {
            Item::Type(id) => {
                let Some(ty) = types.get(id) else { continue };
                if ty.parent.is_some() {
                    continue;
                }
                let path = match ty.def.file() {
                    Some(path) => path.to_string(),
                    None => package_path(&ty.package)?,
                };
                let origin = format!("{} `{}`", ty.def.kind(), ty.full_name);
                (path, ty.package.clone(), origin)
            }
            Item::Service(sid) => {
                let Some(service) = services.get(sid) else {
                    continue;
                };
                let package = service.schema.package;
                let origin = format!("service `{}`", service.full_name);
                (package_path(package)?, package.to_string(), origin)
            }
        };
        let index = *by_path.entry(path.clone()).or_insert_with(|| {
            drafts.push(FileDraft {
                path: path.clone(),
                package: package.clone(),
                package_origin: origin.clone(),
                types: Vec::new(),
                services: Vec::new(),
                deps: BTreeMap::new(),
            });
            drafts.len() - 1
        });
        let Some(draft) = drafts.get_mut(index) else {
            continue;
        };
        if draft.package != package {
            return Err(SchemaError::FileConflict {
                path,
                problem: format!(
                    "it would hold both {} (package `{}`) and {origin} (package `{package}`), but a \
                     .proto file has exactly one package; give them the same package or \
                     different `file`s",
                    draft.package_origin, draft.package
                ),
            });
        }
        match *item {
            Item::Type(id) => {
                draft.types.push(id);
                if let Some(t) = types.get_mut(id) {
                    t.file = index;
                }
            }
            Item::Service(sid) => draft.services.push(sid),
        }
    }

    for &id in order {
        // Parents are strictly shorter names, so this chain ends.
        let mut root = id;
        while let Some(parent) = types.get(root).and_then(|t| t.parent) {
            root = parent;
        }
        if root == id {
            continue;
        }
        let file = types.get(root).map_or(0, |t| t.file);
        let Some(ty) = types.get_mut(id) else {
            continue;
        };
        ty.file = file;
        let path = drafts.get(file).map_or("", |d| d.path.as_str());
        if let Some(own) = ty.def.file() {
            if own != path {
                return Err(SchemaError::FileConflict {
                    path: own.to_string(),
                    problem: format!(
                        "the nested type `{}` names it as its file, but a nested type lives in its \
                         parent's file `{path}`; drop its `file` or make it match",
                        ty.full_name
                    ),
                });
            }
        }
    }
    Ok(drafts)
}

/// Records, for each file, the files whose types it refers to, each with
/// one reference that explains the import (for cycle reports).
fn collect_imports(
    types: &[ResolvedType],
    order: &[usize],
    services: &[ResolvedService],
    drafts: &mut [FileDraft],
) {
    for &id in order {
        let Some(ty) = types.get(id) else { continue };
        for target in ty.fields.iter().flat_map(field_targets) {
            let Target::Type(to) = target else { continue };
            let Some(to_ty) = types.get(to) else { continue };
            if to_ty.file != ty.file {
                if let Some(draft) = drafts.get_mut(ty.file) {
                    draft.deps.entry(to_ty.file).or_insert_with(|| {
                        format!("`{}` refers to `{}`", ty.full_name, to_ty.full_name)
                    });
                }
            }
        }
    }
    for (index, draft) in drafts.iter_mut().enumerate() {
        for service in draft.services.iter().filter_map(|&sid| services.get(sid)) {
            for to in service
                .methods
                .iter()
                .flat_map(|&(input, output)| [input, output])
            {
                let Some(to_ty) = types.get(to) else { continue };
                if to_ty.file != index {
                    draft.deps.entry(to_ty.file).or_insert_with(|| {
                        format!("`{}` refers to `{}`", service.full_name, to_ty.full_name)
                    });
                }
            }
        }
    }
}

/// Puts the drafts in `topo` order and points each type at its file's new
/// index.
fn finish_files(
    drafts: Vec<FileDraft>,
    topo: &[usize],
    types: &mut [ResolvedType],
) -> Vec<ProtoFile> {
    let mut new_index = vec![0; drafts.len()];
    for (new, &old) in topo.iter().enumerate() {
        if let Some(slot) = new_index.get_mut(old) {
            *slot = new;
        }
    }
    for ty in types.iter_mut() {
        ty.file = new_index.get(ty.file).copied().unwrap_or(ty.file);
    }
    let paths: Vec<String> = drafts.iter().map(|d| d.path.clone()).collect();
    let mut slots: Vec<Option<FileDraft>> = drafts.into_iter().map(Some).collect();
    topo.iter()
        .filter_map(|&old| slots.get_mut(old).and_then(Option::take))
        .map(|draft| {
            let mut dependencies: Vec<String> = draft
                .deps
                .keys()
                .filter_map(|&d| paths.get(d).cloned())
                .collect();
            dependencies.sort();
            ProtoFile {
                path: draft.path,
                package: draft.package,
                types: draft.types,
                services: draft.services,
                dependencies,
            }
        })
        .collect()
}

/// The targets a field refers to.
fn field_targets(field: &FieldTarget) -> Vec<Target> {
    match field {
        FieldTarget::Value(t) | FieldTarget::Map(_, t) => vec![*t],
        FieldTarget::Oneof(_, members) => members.iter().map(|m| m.target).collect(),
    }
}

/// `package.name`, or `name` in the empty package.
pub(super) fn join(package: &str, name: &str) -> String {
    if package.is_empty() {
        name.to_string()
    } else {
        format!("{package}.{name}")
    }
}

/// The default file of a package (validated before, so a failure here is a
/// package that slipped through: reported rather than unwrapped).
fn package_path(package: &str) -> Result<String, SchemaError> {
    naming::file_path_for_package(package).ok_or_else(|| SchemaError::InvalidName {
        what: "package".into(),
        name: package.to_string(),
        problem: "a package is one or more identifiers separated by dots".into(),
    })
}

/// Orders files so that each comes after the files it imports (ties keep
/// discovery order), or reports a cycle.
fn topological_order(drafts: &[FileDraft]) -> Result<Vec<usize>, SchemaError> {
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        New,
        Open,
        Done,
    }
    // Imports in path order, so the result does not depend on hashing.
    let deps: Vec<Vec<usize>> = drafts
        .iter()
        .map(|d| {
            let mut deps: Vec<usize> = d.deps.keys().copied().collect();
            deps.sort_by(|a, b| {
                let path = |i: &usize| drafts.get(*i).map(|d| d.path.as_str());
                path(a).cmp(&path(b))
            });
            deps
        })
        .collect();
    let mut state = vec![State::New; drafts.len()];
    let mut order = Vec::with_capacity(drafts.len());
    for start in 0..drafts.len() {
        if state.get(start) != Some(&State::New) {
            continue;
        }
        // (file, next dependency to look at); the stack holds the open
        // files, outermost first, so a cycle is a suffix of it.
        let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
        if let Some(s) = state.get_mut(start) {
            *s = State::Open;
        }
        while let Some(&mut (file, ref mut next)) = stack.last_mut() {
            let dep = deps.get(file).and_then(|d| d.get(*next)).copied();
            *next += 1;
            match dep {
                Some(dep) => match state.get(dep).copied() {
                    Some(State::New) => {
                        if let Some(s) = state.get_mut(dep) {
                            *s = State::Open;
                        }
                        stack.push((dep, 0));
                    }
                    Some(State::Open) => {
                        let from = stack.iter().position(|&(f, _)| f == dep).unwrap_or(0);
                        let mut cycle: Vec<usize> =
                            stack.iter().skip(from).map(|&(f, _)| f).collect();
                        cycle.push(dep);
                        let path =
                            |i: usize| drafts.get(i).map_or_else(String::new, |d| d.path.clone());
                        let reasons = cycle
                            .windows(2)
                            .filter_map(|w| match w {
                                [a, b] => drafts.get(*a).and_then(|d| d.deps.get(b)).cloned(),
                                _ => None,
                            })
                            .collect();
                        return Err(SchemaError::ImportCycle {
                            cycle: cycle.into_iter().map(path).collect(),
                            reasons,
                        });
                    }
                    _ => {}
                },
                None => {
                    if let Some(s) = state.get_mut(file) {
                        *s = State::Done;
                    }
                    order.push(file);
                    stack.pop();
                }
            }
        }
    }
    Ok(order)
}

/// Builds the table of every full name protobuf will see — packages, types,
/// fields, oneofs (synthetic ones too), map entries, enum values, services
/// and methods — rejecting any name defined twice. The renderers use the
/// table to pick type references that resolve correctly.
fn collect_symbols(
    types: &[ResolvedType],
    order: &[usize],
    services: &[ResolvedService],
    drafts: &[FileDraft],
) -> Result<HashMap<String, SymbolKind>, SchemaError> {
    let mut table = SymbolTable::default();
    for draft in drafts {
        let mut prefix = String::new();
        for segment in draft.package.split('.').filter(|s| !s.is_empty()) {
            if !prefix.is_empty() {
                prefix.push('.');
            }
            prefix.push_str(segment);
            table.add(&prefix, SymbolKind::Package, || {
                format!("the package `{prefix}`")
            })?;
        }
    }
    for &id in order {
        let Some(ty) = types.get(id) else { continue };
        let full = &ty.full_name;
        match ty.def {
            TypeDef::Message(message) => {
                table.add(full, SymbolKind::Message, || {
                    format!("the message `{full}`")
                })?;
                for (field, target) in message.fields.iter().zip(&ty.fields) {
                    let field_full = join(full, field.name);
                    match (field.shape, target) {
                        (FieldShape::Oneof(_), FieldTarget::Oneof(oneof, _)) => {
                            table.add(&field_full, SymbolKind::Oneof, || {
                                format!("the oneof `{}` of `{full}`", field.name)
                            })?;
                            for variant in oneof.variants {
                                let name = join(full, variant.name);
                                table.add(&name, SymbolKind::Field, || {
                                    format!("the field `{}` of `{full}`", variant.name)
                                })?;
                            }
                        }
                        (shape, _) => {
                            table.add(&field_full, SymbolKind::Field, || {
                                format!("the field `{}` of `{full}`", field.name)
                            })?;
                            if let FieldShape::Map(..) = shape {
                                let entry = join(full, &naming::map_entry_name(field.name));
                                let what = || {
                                    format!(
                                        "the message `{entry}` that protobuf generates for the map \
                                         field `{}`",
                                        field.name
                                    )
                                };
                                table.add(&entry, SymbolKind::Message, what)?;
                                table.add(&join(&entry, "key"), SymbolKind::Field, what)?;
                                table.add(&join(&entry, "value"), SymbolKind::Field, what)?;
                            }
                            if let FieldShape::Optional(_) = shape {
                                let oneof = join(full, &naming::synthetic_oneof_name(field.name));
                                table.add(&oneof, SymbolKind::Oneof, || {
                                    format!(
                                        "the oneof `{oneof}` that protobuf generates for the \
                                         optional field `{}`",
                                        field.name
                                    )
                                })?;
                            }
                        }
                    }
                }
            }
            TypeDef::Enum(enum_) => {
                table.add(full, SymbolKind::Enum, || format!("the enum `{full}`"))?;
                // Enum values are scoped beside their enum, as in C++.
                let scope = match ty.parent.and_then(|p| types.get(p)) {
                    Some(parent) => parent.full_name.as_str(),
                    None => ty.package.as_str(),
                };
                for value in enum_.values {
                    let name = join(scope, value.name);
                    table.add(&name, SymbolKind::EnumValue, || {
                        format!(
                            "the value `{}` of the enum `{full}` (enum values share the scope of \
                             their enum, so prefix them with the enum's name)",
                            value.name
                        )
                    })?;
                }
            }
        }
    }
    for service in services {
        let full = &service.full_name;
        table.add(full, SymbolKind::Service, || {
            format!("the service `{full}`")
        })?;
        for method in service.schema.methods {
            table.add(&join(full, method.name), SymbolKind::Method, || {
                format!("the method `{}` of `{full}`", method.name)
            })?;
        }
    }
    Ok(table.kinds)
}

#[derive(Default)]
struct SymbolTable {
    kinds: HashMap<String, SymbolKind>,
    what: HashMap<String, String>,
}

impl SymbolTable {
    fn add(
        &mut self,
        name: &str,
        kind: SymbolKind,
        what: impl FnOnce() -> String,
    ) -> Result<(), SchemaError> {
        match self.kinds.get(name) {
            None => {
                self.kinds.insert(name.to_string(), kind);
                self.what.insert(name.to_string(), what());
                Ok(())
            }
            // A package shared by several files, or a prefix of another.
            Some(SymbolKind::Package) if kind == SymbolKind::Package => Ok(()),
            Some(_) => Err(SchemaError::DuplicateName {
                full_name: name.to_string(),
                first: self.what.get(name).cloned().unwrap_or_default(),
                second: what(),
            }),
        }
    }
}

// ---------------------------------------------------------------------------
// Validation of single types and services.
// ---------------------------------------------------------------------------

const IDENTIFIER_RULE: &str =
    "an identifier is an ASCII letter or `_` followed by ASCII letters, digits and `_`";

fn check_identifier(what: impl FnOnce() -> String, name: &str) -> Result<(), SchemaError> {
    if naming::is_identifier(name) {
        Ok(())
    } else {
        Err(SchemaError::InvalidName {
            what: what(),
            name: name.to_string(),
            problem: IDENTIFIER_RULE.into(),
        })
    }
}

fn check_package(what: impl FnOnce() -> String, package: &str) -> Result<(), SchemaError> {
    if naming::is_dotted_identifier(package) {
        Ok(())
    } else {
        let problem = if package.is_empty() {
            "typerpc needs every type and service in a package; declare one, or set \
             `SchemaBuilder::default_package`"
                .to_string()
        } else {
            format!("a package is identifiers separated by dots; {IDENTIFIER_RULE}")
        };
        Err(SchemaError::InvalidName {
            what: what(),
            name: package.to_string(),
            problem,
        })
    }
}

/// Checks a `file` override: a relative, normalised path ending in `.proto`
/// that can be written in an `import "..."` statement unescaped.
fn check_file_path(what: impl FnOnce() -> String, path: &str) -> Result<(), SchemaError> {
    let problem = if !path.ends_with(".proto") {
        Some("the path must end in `.proto`")
    } else if path.starts_with('/') {
        Some("the path must be relative to the include root")
    } else if path
        .split('/')
        .any(|s| s.is_empty() || s == "." || s == "..")
    {
        Some("the path must not contain empty, `.` or `..` segments")
    } else if path
        .chars()
        .any(|c| c == '"' || c == '\\' || c.is_control())
    {
        Some("the path must not contain quotes, backslashes or control characters")
    } else {
        None
    };
    match problem {
        None => Ok(()),
        Some(problem) => Err(SchemaError::InvalidName {
            what: what(),
            name: path.to_string(),
            problem: problem.into(),
        }),
    }
}

fn validate_type(record: &Record) -> Result<(), SchemaError> {
    let def = record.def;
    let full = join(&record.package, def.name());
    if !naming::is_dotted_identifier(def.name()) {
        return Err(SchemaError::InvalidName {
            what: format!("{} name", def.kind()),
            name: def.name().to_string(),
            problem: format!(
                "a type name is an identifier, or identifiers separated by dots for nested \
                 types; {IDENTIFIER_RULE}"
            ),
        });
    }
    check_package(
        || format!("package of {} `{}`", def.kind(), def.name()),
        &record.package,
    )?;
    if let Some(path) = def.file() {
        check_file_path(|| format!("file of {} `{full}`", def.kind()), path)?;
    }
    match def {
        TypeDef::Message(message) => validate_message(message, &record.fields, &full),
        TypeDef::Enum(enum_) => validate_enum(enum_, &full),
    }
}

/// One field as protobuf numbers it: oneof members count as fields.
struct NumberedField {
    name: &'static str,
    json_name: &'static str,
    number: u32,
}

fn validate_message(
    message: &MessageSchema,
    targets: &[FieldTarget],
    full: &str,
) -> Result<(), SchemaError> {
    let mut numbered: Vec<NumberedField> = Vec::new();
    for (field, target) in message.fields.iter().zip(targets) {
        check_identifier(|| format!("field name in message `{full}`"), field.name)?;
        match (field.shape, target) {
            (FieldShape::Oneof(_), FieldTarget::Oneof(oneof, members)) => {
                if oneof.variants.is_empty() {
                    return Err(SchemaError::InvalidName {
                        what: format!("oneof in message `{full}`"),
                        name: field.name.to_string(),
                        problem: "a oneof needs at least one member".into(),
                    });
                }
                for (variant, member) in oneof.variants.iter().zip(members) {
                    check_identifier(
                        || format!("member name of oneof `{}` in message `{full}`", field.name),
                        variant.name,
                    )?;
                    numbered.push(NumberedField {
                        name: variant.name,
                        json_name: variant.json_name,
                        number: member.number,
                    });
                }
            }
            (shape, _) => {
                if let FieldShape::Map(key, _) = shape {
                    if matches!(key, Scalar::Double | Scalar::Float | Scalar::Bytes) {
                        return Err(SchemaError::InvalidName {
                            what: format!(
                                "map key type of field `{}` in message `{full}`",
                                field.name
                            ),
                            name: key.proto_name().to_string(),
                            problem: "map keys must be integers, `bool` or `string`".into(),
                        });
                    }
                }
                numbered.push(NumberedField {
                    name: field.name,
                    json_name: field.json_name,
                    number: field.number,
                });
            }
        }
    }

    // Reserved ranges and names first, since fields are checked against them.
    let mut ranges: Vec<(u32, u32)> = Vec::with_capacity(message.reserved_numbers.len());
    for &(start, end) in message.reserved_numbers {
        let what = || format!("reserved range {start} to {end} of message `{full}`");
        if start == 0 || start > end || end > MAX_FIELD_NUMBER {
            return Err(SchemaError::InvalidNumber {
                what: what(),
                problem: format!("a reserved range needs 1 <= start <= end <= {MAX_FIELD_NUMBER}"),
            });
        }
        if let Some(&(s, e)) = ranges.iter().find(|&&(s, e)| start <= e && s <= end) {
            return Err(SchemaError::InvalidNumber {
                what: what(),
                problem: format!("it overlaps the reserved range {s} to {e}; merge them"),
            });
        }
        ranges.push((start, end));
    }
    let mut reserved_names: HashSet<&str> = HashSet::new();
    for &name in message.reserved_names {
        // protox only accepts reserved names that start with a letter.
        let valid = naming::is_identifier(name) && !name.starts_with('_');
        if !valid {
            return Err(SchemaError::InvalidName {
                what: format!("reserved field name of message `{full}`"),
                name: name.to_string(),
                problem: "a reserved name is an ASCII letter followed by ASCII letters, digits \
                          and `_`"
                    .into(),
            });
        }
        if !reserved_names.insert(name) {
            return Err(SchemaError::InvalidName {
                what: format!("reserved field name of message `{full}`"),
                name: name.to_string(),
                problem: "it is reserved twice; list each name once".into(),
            });
        }
    }

    let mut by_number: HashMap<u32, &str> = HashMap::new();
    let mut by_json: HashMap<&str, &str> = HashMap::new();
    let mut by_folded: HashMap<String, &str> = HashMap::new();
    for field in &numbered {
        let what = || format!("field `{}` of message `{full}`", field.name);
        let n = field.number;
        if n == 0 || n > MAX_FIELD_NUMBER {
            return Err(SchemaError::InvalidNumber {
                what: what(),
                problem: format!(
                    "field number {n} is out of range; field numbers go from 1 to {MAX_FIELD_NUMBER}"
                ),
            });
        }
        if IMPLEMENTATION_RESERVED.contains(&n) {
            return Err(SchemaError::InvalidNumber {
                what: what(),
                problem: format!(
                    "field number {n} is in 19000 to 19999, which protobuf reserves for itself; \
                     pick another number"
                ),
            });
        }
        if let Some(&(s, e)) = ranges.iter().find(|&&(s, e)| s <= n && n <= e) {
            return Err(SchemaError::InvalidNumber {
                what: what(),
                problem: format!(
                    "field number {n} is reserved ({s} to {e}); reserved numbers belonged to \
                     deleted fields and must not be reused"
                ),
            });
        }
        if let Some(other) = by_number.insert(n, field.name) {
            return Err(SchemaError::InvalidNumber {
                what: what(),
                problem: format!(
                    "field number {n} is already used by the field `{other}`; give each field \
                     its own number"
                ),
            });
        }
        if reserved_names.contains(field.name) {
            return Err(SchemaError::InvalidName {
                what: format!("field of message `{full}`"),
                name: field.name.to_string(),
                problem: "the name is reserved; reserved names belonged to deleted fields and \
                          must not be reused"
                    .into(),
            });
        }
        if field.json_name.is_empty() {
            return Err(SchemaError::InvalidName {
                what: format!("JSON name of field `{}` in message `{full}`", field.name),
                name: String::new(),
                problem: "a JSON name must not be empty".into(),
            });
        }
        if field.json_name.starts_with('[') && field.json_name.ends_with(']') {
            return Err(SchemaError::InvalidName {
                what: format!("JSON name of field `{}` in message `{full}`", field.name),
                name: field.json_name.to_string(),
                problem: "protoc rejects JSON names in brackets, which denote extensions".into(),
            });
        }
        if let Some(other) = by_json.insert(field.json_name, field.name) {
            return Err(SchemaError::InvalidName {
                what: format!("JSON name of field `{}` in message `{full}`", field.name),
                name: field.json_name.to_string(),
                problem: format!("the field `{other}` has the same JSON name; rename one of them"),
            });
        }
        // protoc and protox reject proto3 fields whose names differ only in
        // case and underscores, since their default JSON names may collide.
        let folded: String = field
            .name
            .chars()
            .filter(|&c| c != '_')
            .map(|c| c.to_ascii_lowercase())
            .collect();
        if let Some(other) = by_folded.insert(folded, field.name) {
            return Err(SchemaError::InvalidName {
                what: format!("field of message `{full}`"),
                name: field.name.to_string(),
                problem: format!(
                    "it differs from the field `{other}` only in case and underscores, which \
                     proto3 forbids (their JSON names could clash); rename one of them"
                ),
            });
        }
    }
    Ok(())
}

fn validate_enum(enum_: &EnumSchema, full: &str) -> Result<(), SchemaError> {
    let Some(first) = enum_.values.first() else {
        return Err(SchemaError::InvalidNumber {
            what: format!("enum `{full}`"),
            problem: "an enum needs at least one value".into(),
        });
    };
    if first.number != 0 {
        return Err(SchemaError::InvalidNumber {
            what: format!("value `{}` of enum `{full}`", first.name),
            problem: format!(
                "the first value of a proto3 enum must be 0 (its default), not {}",
                first.number
            ),
        });
    }
    let mut by_number: HashMap<i32, &str> = HashMap::new();
    for value in enum_.values {
        check_identifier(|| format!("value name of enum `{full}`"), value.name)?;
        // Inside an enum body these words start statements, not values.
        if matches!(value.name, "option" | "reserved") {
            return Err(SchemaError::InvalidName {
                what: format!("value name of enum `{full}`"),
                name: value.name.to_string(),
                problem: "`option` and `reserved` are keywords in an enum body".into(),
            });
        }
        if let Some(other) = by_number.insert(value.number, value.name) {
            return Err(SchemaError::InvalidNumber {
                what: format!("value `{}` of enum `{full}`", value.name),
                problem: format!(
                    "the number {} is already used by `{other}`; aliases are not supported, give \
                     each value its own number",
                    value.number
                ),
            });
        }
    }
    Ok(())
}

fn validate_service(service: &ServiceSchema) -> Result<(), SchemaError> {
    check_identifier(|| "service name".into(), service.name)?;
    check_package(
        || format!("package of service `{}`", service.name),
        service.package,
    )?;
    let full = join(service.package, service.name);
    for method in service.methods {
        check_identifier(|| format!("method name in service `{full}`"), method.name)?;
    }
    Ok(())
}

#[cfg(test)]
pub(super) mod fixtures {
    //! Hand-written schemas shared by the tests of the schema modules.
    #![allow(missing_docs)]

    use super::super::model::{
        EnumSchema, EnumValueSchema, FieldSchema, FieldShape, MessageSchema, MethodSchema,
        OneofSchema, OneofVariantSchema, Scalar, ServiceSchema, TypeRef,
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
}

#[cfg(test)]
mod tests {
    use super::super::model::{
        EnumSchema, MessageSchema, MethodSchema, OneofSchema, OneofVariantSchema, Scalar,
        ServiceSchema,
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
        assert!(invalid_number(build_one(&HAS_DUPLICATE_NUMBER))
            .contains("already used by the field `a`"));
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
}
