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

    /// The descriptor of `file`, as protoc would compile [`Self::proto_text`],
    /// with source code info for each definition and its comments (not
    /// for every token, as protoc's has).
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

mod validate;
use validate::*;

#[cfg(test)]
pub(super) mod fixtures;
#[cfg(test)]
mod tests;
