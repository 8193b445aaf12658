//! `#[derive(Message)]` on a struct: a protobuf message.
//!
//! The expansion names each field's number as a constant computed in
//! declaration order (`previous + the previous field's NUMBERS`, which is
//! more than one for a oneof), checks the numbers at compile time, and
//! dispatches every operation through the field traits of
//! `typerpc::message::field`, so the macro never guesses a type's meaning
//! from its spelling.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned, ToTokens};
use syn::spanned::Spanned;
use syn::{DataStruct, DeriveInput, Fields, Ident, LitStr};

use crate::attrs::{self, ContainerAttrs, FieldAttrs};
use crate::docs::doc_text;
use crate::naming::lower_camel;

struct FieldInfo {
    ident: Ident,
    ty: syn::Type,
    attrs: FieldAttrs,
    proto_name: String,
    json_name: String,
    doc: String,
    tag_const: Ident,
    /// The Rust field name (without `r#`), as messages name it.
    rust_name: String,
    /// Where errors about the field point: its explicit `tag` literal, else
    /// its name.
    span: Span,
}

impl FieldInfo {
    /// `<T as Field<E>>` for this field.
    fn field_trait(&self) -> TokenStream {
        let ty = &self.ty;
        let enc = self.attrs.encoding.code();
        quote_spanned!(self.ty.span()=> <#ty as ::typerpc::__private::Field<#enc>>)
    }

    /// `<T as OptionalField<E>>` for a field with a declared default.
    fn optional_trait(&self) -> TokenStream {
        let ty = &self.ty;
        let enc = self.attrs.encoding.code();
        quote_spanned!(self.ty.span()=> <#ty as ::typerpc::__private::OptionalField<#enc>>)
    }

    fn has_default(&self) -> bool {
        self.attrs.default.is_some()
    }
}

pub fn expand(input: &DeriveInput, data: &DataStruct) -> syn::Result<TokenStream> {
    if !input.generics.params.is_empty() {
        return Err(syn::Error::new_spanned(
            &input.generics,
            "typerpc: a message cannot be generic; its schema must be one fixed protobuf type",
        ));
    }
    let container = attrs::container(&input.attrs)?;
    let named =
        match &data.fields {
            Fields::Named(named) => named.named.iter().collect::<Vec<_>>(),
            Fields::Unit => Vec::new(),
            Fields::Unnamed(_) => return Err(syn::Error::new_spanned(
                &input.ident,
                "typerpc: a message needs named fields (the field names become the proto names)",
            )),
        };

    let mut fields = Vec::with_capacity(named.len());
    for (index, f) in named.into_iter().enumerate() {
        let ident = f.ident.clone().expect("named field");
        let attrs = attrs::field(&f.attrs, false)?;
        if let Some(default) = &attrs.default {
            check_default_type(&f.ty, default)?;
        }
        let rust_name = ident.to_string();
        let rust_name = rust_name
            .strip_prefix("r#")
            .unwrap_or(&rust_name)
            .to_string();
        let proto_name = attrs
            .name
            .as_ref()
            .map_or_else(|| rust_name.clone(), LitStr::value);
        let json_name = attrs
            .json_name
            .as_ref()
            .map_or_else(|| lower_camel(&proto_name), LitStr::value);
        fields.push(FieldInfo {
            tag_const: format_ident!("__TYPERPC_TAG_{}", index),
            ty: f.ty.clone(),
            doc: doc_text(&f.attrs),
            proto_name,
            json_name,
            span: attrs
                .tag
                .as_ref()
                .map_or_else(|| ident.span(), |t| t.span()),
            rust_name,
            ident,
            attrs,
        });
    }
    check_names(&fields)?;

    let name = &input.ident;
    let tags = tag_consts(&fields);
    let checks = number_checks(name, &fields, &container);
    let default_impl = default_impl(name, &fields);
    let message_impl = message_impl(input, &container, &fields);

    Ok(quote! {
        const _: () = {
            #tags
            #checks
            #default_impl
            #message_impl
            ::typerpc::__impl_prost_message!(#name);
            ::typerpc::__impl_message_value!(#name);
        };
    })
}

/// Two fields with one proto or JSON name would make the schema invalid.
fn check_names(fields: &[FieldInfo]) -> syn::Result<()> {
    for (i, a) in fields.iter().enumerate() {
        for b in &fields[..i] {
            let clash = if a.proto_name == b.proto_name {
                Some(("proto name", &a.proto_name, "name"))
            } else if a.json_name == b.json_name {
                Some(("JSON name", &a.json_name, "json_name"))
            } else {
                None
            };
            if let Some((what, value, key)) = clash {
                return Err(syn::Error::new(
                    a.ident.span(),
                    format!(
                        "typerpc: fields `{}` and `{}` have the same {what} `{value}`; rename one with #[rpc({key} = \"...\")]",
                        b.rust_name, a.rust_name
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// A declared default fills in a value the sender left out, so the field
/// must be one that has no "absent" state of its own.
fn check_default_type(ty: &syn::Type, default: &syn::Expr) -> syn::Result<()> {
    let last = match ty {
        syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    };
    let problem = match last.as_deref() {
        Some("Option") => "typerpc: `#[rpc(default = ...)]` on an `Option` field means nothing: an absent `Option` is `None`; drop the `Option` (e.g. `limit: i32`) to have the default fill in for an absent value",
        Some("Vec" | "HashMap" | "BTreeMap") if !is_bytes(ty) => "typerpc: `#[rpc(default = ...)]` applies to scalar and enum fields; a repeated field or map that is not sent is empty",
        _ => return Ok(()),
    };
    Err(syn::Error::new_spanned(default, problem))
}

/// `Vec<u8>`: protobuf `bytes`, a scalar.
fn is_bytes(ty: &syn::Type) -> bool {
    let syn::Type::Path(p) = ty else { return false };
    let Some(last) = p.path.segments.last() else {
        return false;
    };
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
        return false;
    };
    matches!(
        args.args.first(),
        Some(syn::GenericArgument::Type(syn::Type::Path(inner))) if inner.path.is_ident("u8")
    )
}

fn tag_consts(fields: &[FieldInfo]) -> TokenStream {
    let mut out = TokenStream::new();
    let mut previous: Option<&FieldInfo> = None;
    for f in fields {
        let name = &f.tag_const;
        let value = match (&f.attrs.tag, previous) {
            (Some(lit), _) => lit.to_token_stream(),
            (None, None) => quote!(1u32),
            (None, Some(p)) => {
                let prev = &p.tag_const;
                let numbers = if p.has_default() {
                    let t = p.optional_trait();
                    quote!(#t::NUMBERS)
                } else {
                    let t = p.field_trait();
                    quote!(#t::NUMBERS)
                };
                quote!(#prev + #numbers)
            }
        };
        out.extend(quote_spanned!(f.span=> const #name: u32 = #value;));
        previous = Some(f);
    }
    out
}

fn number_checks(name: &Ident, fields: &[FieldInfo], container: &ContainerAttrs) -> TokenStream {
    if fields.is_empty() {
        return TokenStream::new();
    }
    let entries = fields.iter().map(|f| {
        let tag = &f.tag_const;
        let t = if f.has_default() { f.optional_trait() } else { f.field_trait() };
        quote!(::typerpc::__private::FieldNumbers { base: #tag, count: #t::NUMBERS, explicit: #t::ONEOF_NUMBERS })
    });
    let reserved = container
        .reserved_numbers
        .iter()
        .map(|(a, b)| quote!((#a, #b)));
    let asserts = fields.iter().enumerate().map(|(i, f)| {
        let field = format!("typerpc: field `{}` of `{}`", f.rust_name, name);
        let fix = "give it a free number with #[rpc(tag = N)]";
        let zero = format!("{field} has number 0; field numbers start at 1");
        let too_large = format!(
            "{field} gets a number above 536870911, the largest protobuf allows (a field without `tag` takes the number after the previous field's); {fix}"
        );
        let protobuf_reserved = format!(
            "{field} gets a number in 19000..=19999, which protobuf reserves for itself (a field without `tag` takes the number after the previous field's); {fix}"
        );
        let reserved_here = format!(
            "{field} has a number that `{name}` reserves in #[rpc(reserved = [...])]; {fix}"
        );
        let taken = format!(
            "{field} has a number that an earlier field already uses (a oneof uses one number per variant, from its own number on); {fix}"
        );
        quote_spanned! {f.span=>
            const _: () = if __TYPERPC_BAD_NUMBER.0 == #i {
                match __TYPERPC_BAD_NUMBER.1 {
                    ::typerpc::__private::NUMBER_ZERO => panic!(#zero),
                    ::typerpc::__private::NUMBER_TOO_LARGE => panic!(#too_large),
                    ::typerpc::__private::NUMBER_PROTOBUF_RESERVED => panic!(#protobuf_reserved),
                    ::typerpc::__private::NUMBER_RESERVED => panic!(#reserved_here),
                    _ => panic!(#taken),
                }
            };
        }
    });
    let defaults = fields.iter().filter_map(|f| {
        let default = f.attrs.default.as_ref()?;
        let t = f.optional_trait();
        let message = format!(
            "typerpc: field `{}` of `{}` cannot take #[rpc(default = ...)]: declared defaults are for scalar and enum fields (a message field that is not sent is `None` in an `Option`, or empty)",
            f.rust_name, name
        );
        Some(quote_spanned! {default.span()=>
            const _: () = match #t::OPTIONAL_SHAPE {
                ::typerpc::schema::model::FieldShape::Optional(_) => {}
                _ => panic!(#message),
            };
        })
    });
    quote! {
        const __TYPERPC_BAD_NUMBER: (usize, u8) = ::typerpc::__private::number_problem(
            &[#(#entries),*],
            &[#(#reserved),*],
        );
        #(#asserts)*
        #(#defaults)*
    }
}

/// The value of `#[rpc(default = EXPR)]` for a field of type `ty`. A
/// plain number takes the field's numeric type (`default = 20` on a `u32`
/// is `20u32`, on an `f64` `20f64`), as a literal would in `let x: u32 =
/// 20`; anything else is converted with `Into` (`default = "text"` on a
/// `String`).
fn default_value(ty: &syn::Type, expr: &syn::Expr) -> TokenStream {
    const NUMERIC: [&str; 6] = ["i32", "i64", "u32", "u64", "f32", "f64"];
    let numeric = match ty {
        syn::Type::Path(path) if path.qself.is_none() => path
            .path
            .get_ident()
            .map(|i| i.to_string())
            .filter(|name| NUMERIC.contains(&name.as_str())),
        _ => None,
    };
    let (negated, digits) = match plain_number(expr) {
        // An integer fits any numeric type; a fraction only a float.
        Some((negated, digits, is_float))
            if !is_float || numeric.as_deref().is_some_and(|n| n.starts_with('f')) =>
        {
            (negated, Some(digits))
        }
        _ => (false, None),
    };
    match (numeric, digits) {
        (Some(numeric), Some(digits)) => {
            let typed: TokenStream = format!("{digits}{numeric}")
                .parse()
                .expect("a numeric literal");
            let sign = negated.then(|| quote!(-));
            quote_spanned!(expr.span()=> #sign #typed)
        }
        _ => quote_spanned!(expr.span()=> ::core::convert::Into::into(#expr)),
    }
}

/// A number without a type suffix, possibly negated: whether it is
/// negated, its digits, and whether it has a fraction or exponent.
fn plain_number(expr: &syn::Expr) -> Option<(bool, String, bool)> {
    let (negated, literal) = match expr {
        syn::Expr::Unary(syn::ExprUnary {
            op: syn::UnOp::Neg(_),
            expr,
            ..
        }) => (true, &**expr),
        other => (false, other),
    };
    match literal {
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Int(int),
            ..
        }) if int.suffix().is_empty() => Some((negated, int.base10_digits().to_string(), false)),
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Float(float),
            ..
        }) if float.suffix().is_empty() => Some((negated, float.base10_digits().to_string(), true)),
        _ => None,
    }
}

fn default_impl(name: &Ident, fields: &[FieldInfo]) -> TokenStream {
    let inits = fields.iter().map(|f| {
        let ident = &f.ident;
        match &f.attrs.default {
            Some(expr) => {
                let value = default_value(&f.ty, expr);
                quote_spanned!(expr.span()=> #ident: #value)
            }
            // Spanned at the type: a type without `Default` is reported at the field.
            None => quote_spanned!(f.ty.span()=> #ident: ::core::default::Default::default()),
        }
    });
    quote! {
        impl ::core::default::Default for #name {
            fn default() -> Self {
                #name { #(#inits),* }
            }
        }
    }
}

/// The binary wire methods of `typerpc::Message`.
fn wire_methods(name: &Ident, fields: &[FieldInfo]) -> TokenStream {
    let struct_name = name.to_string();
    let mut encodes = Vec::new();
    let mut lens = Vec::new();
    let mut clears = Vec::new();
    let mut arms = Vec::new();
    let mut oneof_fallbacks = Vec::new();
    for f in fields {
        let ident = &f.ident;
        let tag = &f.tag_const;
        let field_name = &f.proto_name;
        let push = quote!(.map_err(|mut e| { e.push(#struct_name, #field_name); e }));
        if f.has_default() {
            let t = f.optional_trait();
            let default = f.attrs.default.as_ref().expect("checked");
            encodes.push(quote!(#t::encode_present(&self.#ident, #tag, buf);));
            lens.push(quote!(#t::present_len(&self.#ident, #tag)));
            let value = default_value(&f.ty, default);
            clears.push(quote!(self.#ident = #value;));
            arms.push(quote!(#tag => #t::merge_present(&mut self.#ident, tag, #tag, wire_type, buf, ctx) #push,));
        } else {
            let t = f.field_trait();
            encodes.push(quote!(#t::encode_field(&self.#ident, #tag, buf);));
            lens.push(quote!(#t::field_len(&self.#ident, #tag)));
            clears.push(quote!(#t::clear_field(&mut self.#ident);));
            arms.push(quote!(#tag if !#t::IS_ONEOF => #t::merge_field(&mut self.#ident, tag, #tag, wire_type, buf, ctx) #push,));
            oneof_fallbacks.push(quote! {
                if #t::IS_ONEOF && #t::owns(tag, #tag) {
                    return #t::merge_field(&mut self.#ident, tag, #tag, wire_type, buf, ctx) #push;
                }
            });
        }
    }
    let tags: Vec<_> = fields.iter().map(|f| &f.tag_const).collect();
    let count = fields.len();
    let indexes = 0..count;
    let ordered = encodes.clone();
    quote! {
            #[allow(unused_variables, clippy::match_single_binding)]
            fn encode_raw(&self, buf: &mut impl ::typerpc::__private::BufMut) {
                const ASCENDING: bool = ::typerpc::__private::numbers_ascending::<#count>([#(#tags),*]);
                if ASCENDING {
                    #(#encodes)*
                } else {
                    // Explicit tags out of declaration order: write in
                    // number order, as protobuf encoders do.
                    const ORDER: [usize; #count] = ::typerpc::__private::field_order::<#count>([#(#tags),*]);
                    for index in ORDER {
                        match index {
                            #(#indexes => { #ordered })*
                            _ => {}
                        }
                    }
                }
            }

            #[allow(unreachable_patterns)]
            fn merge_field(
                &mut self,
                tag: u32,
                wire_type: ::typerpc::__private::WireType,
                buf: &mut impl ::typerpc::__private::Buf,
                ctx: ::typerpc::__private::DecodeContext,
            ) -> ::core::result::Result<(), ::typerpc::DecodeError> {
                match tag {
                    #(#arms)*
                    _ => {
                        #(#oneof_fallbacks)*
                        ::typerpc::__private::skip_field(wire_type, tag, buf, ctx)
                    }
                }
            }

            fn encoded_len(&self) -> usize {
                0 #(+ #lens)*
            }

            fn clear(&mut self) {
                #(#clears)*
            }
    }
}

fn message_impl(
    input: &DeriveInput,
    container: &ContainerAttrs,
    fields: &[FieldInfo],
) -> TokenStream {
    let name = &input.ident;
    let proto_name = container
        .name
        .as_ref()
        .map_or_else(|| name.to_string(), LitStr::value);
    let package = option_str(&container.package);
    let file = option_str(&container.file);
    let doc = doc_text(&input.attrs);
    let reserved_numbers = container
        .reserved_numbers
        .iter()
        .map(|(a, b)| quote!((#a, #b)));
    let reserved_names = &container.reserved_names;

    let schema_fields = fields.iter().map(|f| {
        let proto_name = &f.proto_name;
        let json_name = &f.json_name;
        let tag = &f.tag_const;
        let doc = &f.doc;
        let rules = f.attrs.rules.describe();
        let (shape, default) = if let Some(expr) = &f.attrs.default {
            let t = f.optional_trait();
            // A number as written in `.proto` (`-7`, `5000000000`), not as
            // Rust tokens (`- 7`, `5_000_000_000`).
            let text = match plain_number(expr) {
                Some((negated, digits, _)) => format!("{}{digits}", if negated { "-" } else { "" }),
                None => expr.to_token_stream().to_string(),
            };
            (
                quote!(#t::OPTIONAL_SHAPE),
                quote!(::core::option::Option::Some(#text)),
            )
        } else {
            let t = f.field_trait();
            (quote!(#t::SHAPE), quote!(::core::option::Option::None))
        };
        quote! {
            ::typerpc::schema::model::FieldSchema {
                name: #proto_name,
                json_name: #json_name,
                number: #tag,
                shape: #shape,
                doc: #doc,
                default: #default,
                rules: #rules,
            }
        }
    });
    let checks = check_constraints(container, fields);

    let wire = wire_methods(name, fields);
    let json = if container.custom_json {
        quote! {
            fn write_json(&self, w: &mut ::typerpc::message::json::JsonWriter<'_>) {
                ::typerpc::message::wkt::CustomJson::write_custom_json(self, w)
            }
            fn merge_json(
                &mut self,
                p: &mut ::typerpc::message::json::JsonParser<'_>,
            ) -> ::core::result::Result<(), ::typerpc::JsonError> {
                ::typerpc::message::wkt::CustomJson::merge_custom_json(self, p)
            }
            fn merge_json_key(
                &mut self,
                key: &str,
                p: &mut ::typerpc::message::json::JsonParser<'_>,
            ) -> ::core::result::Result<(), ::typerpc::JsonError> {
                p.unknown_field(key)
            }
        }
    } else {
        json_impl(fields)
    };

    quote! {
        impl ::typerpc::Message for #name {
            fn schema() -> &'static ::typerpc::schema::model::MessageSchema {
                static SCHEMA: ::typerpc::schema::model::MessageSchema = ::typerpc::schema::model::MessageSchema {
                    name: #proto_name,
                    package: #package,
                    file: #file,
                    doc: #doc,
                    fields: &[#(#schema_fields),*],
                    reserved_numbers: &[#(#reserved_numbers),*],
                    reserved_names: &[#(#reserved_names),*],
                };
                &SCHEMA
            }

            #wire
            #json
            #checks
        }
    }
}

fn json_impl(fields: &[FieldInfo]) -> TokenStream {
    let mut writes = Vec::new();
    let mut arms = Vec::new();
    let mut oneof_fallbacks = Vec::new();
    for f in fields {
        let ident = &f.ident;
        let json_name = &f.json_name;
        let proto_name = &f.proto_name;
        let keys = if json_name == proto_name {
            quote!(#json_name)
        } else {
            quote!(#json_name | #proto_name)
        };
        if let Some(default) = &f.attrs.default {
            let t = f.optional_trait();
            let value = default_value(&f.ty, default);
            writes.push(quote!(#t::write_json_present(&self.#ident, #json_name, w);));
            arms.push(quote! {
                #keys => {
                    if !#t::JSON_NULL_IS_VALUE && p.take_null()? {
                        self.#ident = #value;
                        ::core::result::Result::Ok(())
                    } else {
                        #t::merge_json_present(&mut self.#ident, p)
                    }
                }
            });
        } else {
            let t = f.field_trait();
            writes.push(quote!(#t::write_json_member(&self.#ident, #json_name, w);));
            arms.push(
                quote!(#keys if !#t::IS_ONEOF => #t::merge_json_member(&mut self.#ident, p),),
            );
            oneof_fallbacks.push(quote! {
                if #t::IS_ONEOF && #t::merge_json_oneof(&mut self.#ident, key, p)? {
                    return ::core::result::Result::Ok(());
                }
            });
        }
    }
    quote! {
        fn write_json(&self, w: &mut ::typerpc::message::json::JsonWriter<'_>) {
            w.begin_object();
            #(#writes)*
            w.end_object();
        }

        #[allow(unreachable_patterns)]
        fn merge_json_key(
            &mut self,
            key: &str,
            p: &mut ::typerpc::message::json::JsonParser<'_>,
        ) -> ::core::result::Result<(), ::typerpc::JsonError> {
            match key {
                #(#arms)*
                _ => {
                    #(#oneof_fallbacks)*
                    p.unknown_field(key)
                }
            }
        }
    }
}

fn option_str(value: &Option<LitStr>) -> TokenStream {
    match value {
        Some(lit) => quote!(::core::option::Option::Some(#lit)),
        None => quote!(::core::option::Option::None),
    }
}

/// `Message::check_constraints`: each field's constraints in its own
/// scope, then what the field holds (nested messages), then the
/// message-level check.
fn check_constraints(container: &ContainerAttrs, fields: &[FieldInfo]) -> TokenStream {
    let checks = fields.iter().map(|f| {
        let ident = &f.ident;
        let ty = &f.ty;
        let name = &f.proto_name;
        let rules = f.attrs.rules.code();
        let nested = quote_spanned!(ty.span()=> <#ty as ::typerpc::__private::Nested>);
        let is_oneof = if f.has_default() {
            quote!(false)
        } else {
            let t = f.field_trait();
            quote!(#t::IS_ONEOF)
        };
        let own = if f.attrs.rules.is_empty() {
            TokenStream::new()
        } else {
            quote!(c.field(#name, |c| { #rules });)
        };
        quote! {
            {
                let value = &self.#ident;
                #own
                if #nested::NEEDED {
                    if #is_oneof {
                        #nested::validate_nested(value, c);
                    } else {
                        c.field(#name, |c| #nested::validate_nested(value, c));
                    }
                }
            }
        }
    });
    let hook = container.validate_with.as_ref().map(|path| {
        let span = path
            .segments
            .last()
            .map_or_else(Span::call_site, |s| s.ident.span());
        quote_spanned!(span=> #path(self, c);)
    });
    quote! {
        #[allow(unused_variables, clippy::needless_borrow)]
        fn check_constraints(&self, c: &mut ::typerpc::__private::Checker<'_>) {
            #(#checks)*
            #hook
        }
    }
}
