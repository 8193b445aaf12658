//! Parsing of `#[rpc(...)]` attributes. Each item kind accepts its own
//! keys; an unknown or misplaced key is an error at that key.

use crate::validate::{Rules, KEYS};
use proc_macro2::Span;
use syn::{Attribute, Expr, ExprLit, ExprRange, Lit, LitInt, LitStr, RangeLimits};

/// Which integer encoding a field asked for.
#[derive(Clone, Copy, Default, PartialEq, Eq)]
pub enum Encoding {
    #[default]
    Plain,
    Sint,
    Fixed,
}

impl Encoding {
    /// The const parameter value of `typerpc::message::field`.
    pub fn code(self) -> u8 {
        match self {
            Encoding::Plain => 0,
            Encoding::Sint => 1,
            Encoding::Fixed => 2,
        }
    }
}

/// Attributes on a message struct, enum or oneof enum.
#[derive(Default)]
pub struct ContainerAttrs {
    pub name: Option<LitStr>,
    pub package: Option<LitStr>,
    pub file: Option<LitStr>,
    pub reserved_numbers: Vec<(u32, u32)>,
    pub reserved_names: Vec<String>,
    pub custom_json: bool,
    /// `validate_with = path`: a message-level check.
    pub validate_with: Option<syn::Path>,
}

/// Attributes on a struct field or a oneof variant.
#[derive(Default)]
pub struct FieldAttrs {
    pub tag: Option<LitInt>,
    pub name: Option<LitStr>,
    pub json_name: Option<LitStr>,
    pub encoding: Encoding,
    pub default: Option<Expr>,
    /// The validation constraints.
    pub rules: Rules,
}

/// Attributes on a variant of a proto enum.
#[derive(Default)]
pub struct EnumValueAttrs {
    pub name: Option<LitStr>,
    pub value: Option<i32>,
    pub unknown: bool,
}

fn rpc_attrs(attrs: &[Attribute]) -> impl Iterator<Item = &Attribute> {
    attrs.iter().filter(|a| a.path().is_ident("rpc"))
}

fn lit_u32(lit: &LitInt) -> syn::Result<u32> {
    lit.base10_parse::<u32>()
}

fn range_bound(expr: &Expr) -> syn::Result<u32> {
    match expr {
        Expr::Lit(ExprLit {
            lit: Lit::Int(i), ..
        }) => lit_u32(i),
        other => Err(syn::Error::new_spanned(
            other,
            "typerpc: reserved ranges take integer literals",
        )),
    }
}

pub fn container(attrs: &[Attribute]) -> syn::Result<ContainerAttrs> {
    let mut out = ContainerAttrs::default();
    for attr in rpc_attrs(attrs) {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("name") {
                out.name = Some(meta.value()?.parse()?);
            } else if meta.path.is_ident("package") {
                out.package = Some(meta.value()?.parse()?);
            } else if meta.path.is_ident("file") {
                out.file = Some(meta.value()?.parse()?);
            } else if meta.path.is_ident("validate_with") {
                out.validate_with = Some(meta.value()?.parse()?);
            } else if meta.path.is_ident("custom_json") {
                out.custom_json = true;
            } else if meta.path.is_ident("reserved") {
                let list: syn::ExprArray = meta.value()?.parse()?;
                reserved_list(&list, &mut out)?;
            } else {
                return Err(meta.error(
                    "typerpc: unknown attribute; messages and enums accept `name`, `package`, `file` and `reserved` (and messages `validate_with`)",
                ));
            }
            Ok(())
        })?;
    }
    Ok(out)
}

fn reserved_list(list: &syn::ExprArray, out: &mut ContainerAttrs) -> syn::Result<()> {
    for elem in &list.elems {
        match elem {
            Expr::Lit(ExprLit {
                lit: Lit::Int(i), ..
            }) => {
                let n = lit_u32(i)?;
                out.reserved_numbers.push((n, n));
            }
            Expr::Lit(ExprLit {
                lit: Lit::Str(s), ..
            }) => out.reserved_names.push(s.value()),
            Expr::Range(ExprRange {
                start: Some(a),
                end: Some(b),
                limits,
                ..
            }) => {
                let lo = range_bound(a)?;
                let hi = range_bound(b)?;
                let hi = match limits {
                    RangeLimits::Closed(_) => hi,
                    RangeLimits::HalfOpen(_) => hi.saturating_sub(1),
                };
                if lo > hi || lo == 0 {
                    return Err(syn::Error::new_spanned(
                        elem,
                        "typerpc: empty or zero reserved range",
                    ));
                }
                out.reserved_numbers.push((lo, hi));
            }
            other => {
                return Err(syn::Error::new_spanned(
                    other,
                    "typerpc: reserved entries are numbers (5), ranges (8..=10) or names (\"old\")",
                ))
            }
        }
    }
    Ok(())
}

pub fn field(attrs: &[Attribute], in_oneof: bool) -> syn::Result<FieldAttrs> {
    let mut out = FieldAttrs::default();
    for attr in rpc_attrs(attrs) {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("tag") {
                let lit: LitInt = meta.value()?.parse()?;
                check_tag(&lit)?;
                out.tag = Some(lit);
            } else if meta.path.is_ident("name") {
                out.name = Some(meta.value()?.parse()?);
            } else if meta.path.is_ident("json_name") {
                out.json_name = Some(meta.value()?.parse()?);
            } else if meta.path.is_ident("sint") {
                set_encoding(
                    &mut out.encoding,
                    Encoding::Sint,
                    meta.path
                        .get_ident()
                        .map_or_else(Span::call_site, |i| i.span()),
                )?;
            } else if meta.path.is_ident("fixed") {
                set_encoding(
                    &mut out.encoding,
                    Encoding::Fixed,
                    meta.path
                        .get_ident()
                        .map_or_else(Span::call_site, |i| i.span()),
                )?;
            } else if meta.path.is_ident("default") && !in_oneof {
                out.default = Some(meta.value()?.parse()?);
            } else if !out.rules.parse(&meta)? {
                let keys = if in_oneof {
                    "`tag`, `name`, `json_name`, `sint` and `fixed`"
                } else {
                    "`tag`, `name`, `json_name`, `sint`, `fixed` and `default`"
                };
                return Err(meta.error(format!(
                    "typerpc: unknown attribute; here the accepted keys are {keys}, and the constraints {KEYS}"
                )));
            }
            Ok(())
        })?;
    }
    out.rules.check()?;
    Ok(out)
}

/// The largest field number protobuf allows.
const MAX_FIELD_NUMBER: u64 = (1 << 29) - 1;

/// An explicit field number must be usable on its own: 1..=536870911 and
/// outside 19000..=19999. (Collisions and reserved numbers are checked at
/// compile time by the expansion, which also sees implicit numbers.)
fn check_tag(lit: &LitInt) -> syn::Result<()> {
    let problem = match lit.base10_parse::<u64>() {
        Ok(0) => "typerpc: field number 0 is not allowed; field numbers start at 1",
        Ok(n) if n > MAX_FIELD_NUMBER => {
            "typerpc: field number too large; protobuf allows 1 to 536870911"
        }
        Ok(19000..=19999) => {
            "typerpc: field numbers 19000 to 19999 are reserved by protobuf itself; pick another"
        }
        Ok(_) => return Ok(()),
        Err(_) => "typerpc: a field number is an integer literal from 1 to 536870911",
    };
    Err(syn::Error::new(lit.span(), problem))
}

fn set_encoding(slot: &mut Encoding, value: Encoding, span: Span) -> syn::Result<()> {
    if *slot != Encoding::Plain {
        return Err(syn::Error::new(
            span,
            "typerpc: `sint` and `fixed` exclude each other",
        ));
    }
    *slot = value;
    Ok(())
}

pub fn enum_value(attrs: &[Attribute]) -> syn::Result<EnumValueAttrs> {
    let mut out = EnumValueAttrs::default();
    for attr in rpc_attrs(attrs) {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("name") {
                out.name = Some(meta.value()?.parse()?);
            } else if meta.path.is_ident("value") {
                let expr: Expr = meta.value()?.parse()?;
                out.value = Some(int_expr(&expr)?);
            } else if meta.path.is_ident("unknown") {
                out.unknown = true;
            } else {
                return Err(meta.error(
                    "typerpc: unknown attribute; enum values accept `name`, `value` and `unknown`",
                ));
            }
            Ok(())
        })?;
    }
    Ok(out)
}

/// An integer literal, possibly negated.
pub fn int_expr(expr: &Expr) -> syn::Result<i32> {
    match expr {
        Expr::Lit(ExprLit {
            lit: Lit::Int(i), ..
        }) => i.base10_parse::<i32>(),
        Expr::Unary(syn::ExprUnary {
            op: syn::UnOp::Neg(_),
            expr,
            ..
        }) => Ok(-int_expr(expr)?),
        Expr::Group(g) => int_expr(&g.expr),
        Expr::Paren(p) => int_expr(&p.expr),
        other => Err(syn::Error::new_spanned(
            other,
            "typerpc: enum numbers must be integer literals",
        )),
    }
}
