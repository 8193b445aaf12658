//! `#[derive(Message)]` on an enum whose variants hold data: a oneof.
//!
//! Used as an `Option<MyOneof>` field of a message. Its members take the
//! field's number and the ones after it, in declaration order, unless a
//! variant says `#[rpc(tag = N)]`.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{DataEnum, DeriveInput, Fields, LitStr};

use crate::attrs;
use crate::docs::doc_text;
use crate::naming::{lower_camel, snake_case};

pub fn expand(input: &DeriveInput, data: &DataEnum) -> syn::Result<TokenStream> {
    if !input.generics.params.is_empty() {
        return Err(syn::Error::new_spanned(
            &input.generics,
            "typerpc: a oneof cannot be generic",
        ));
    }
    let container = attrs::container(&input.attrs)?;
    if container.name.is_some()
        || container.package.is_some()
        || !container.reserved_numbers.is_empty()
        || container.validate_with.is_some()
    {
        return Err(syn::Error::new_spanned(
            &input.ident,
            "typerpc: a oneof takes its name from the message field that holds it; it accepts no container attributes",
        ));
    }
    if data.variants.is_empty() {
        return Err(syn::Error::new_spanned(
            &input.ident,
            "typerpc: a oneof needs at least one variant",
        ));
    }
    let name = &input.ident;
    let rust_name = name.to_string();

    let mut numbers = Vec::new();
    let mut news = Vec::new();
    let mut encodes = Vec::new();
    let mut lens = Vec::new();
    let mut owns = Vec::new();
    let mut merges = Vec::new();
    let mut json_writes = Vec::new();
    let mut json_members = Vec::new();
    let mut schema_variants = Vec::new();
    let mut seen_names: Vec<String> = Vec::new();
    let mut needed = Vec::new();
    let mut checks = Vec::new();

    for (index, v) in data.variants.iter().enumerate() {
        let ty = match &v.fields {
            Fields::Unnamed(u) if u.unnamed.len() == 1 => &u.unnamed[0].ty,
            _ => {
                return Err(syn::Error::new_spanned(
                    v,
                    "typerpc: each oneof variant holds exactly one value, like `Circle(Circle)` or `Id(i64)`; an enum of unit variants is a proto enum instead",
                ))
            }
        };
        let a = attrs::field(&v.attrs, true)?;
        let ident = &v.ident;
        let proto_name = a
            .name
            .as_ref()
            .map_or_else(|| snake_case(&ident.to_string()), LitStr::value);
        let json_name = a
            .json_name
            .as_ref()
            .map_or_else(|| lower_camel(&proto_name), LitStr::value);
        if seen_names.contains(&proto_name) {
            return Err(syn::Error::new_spanned(
                v,
                format!("typerpc: two variants are named `{proto_name}`"),
            ));
        }
        seen_names.push(proto_name.clone());
        let enc = a.encoding.code();
        let pv = quote_spanned!(ty.span()=> <#ty as ::typerpc::__private::ProtoValue<#enc>>);
        let i = index as u32;
        let (number, explicit) = match &a.tag {
            Some(lit) => (quote!(#lit), quote!(::core::option::Option::Some(#lit))),
            None => (quote!((base + #i)), quote!(::core::option::Option::None)),
        };
        numbers.push(explicit.clone());
        news.push(quote! {
            if tag == #number {
                return ::core::option::Option::Some(#name::#ident(#pv::default_value()));
            }
        });
        encodes.push(quote! {
            #name::#ident(v) => {
                ::typerpc::__private::encode_key(#number, #pv::WIRE_TYPE, buf);
                #pv::encode_value(v, buf);
            }
        });
        lens.push(
            quote!(#name::#ident(v) => ::typerpc::__private::key_len(#number) + #pv::value_len(v),),
        );
        owns.push(quote!(tag == #number));
        merges.push(quote!(#name::#ident(v) if tag == #number => return #pv::merge_value(v, wire_type, buf, ctx),));
        json_writes.push(quote!(#name::#ident(v) => { w.key(#json_name); #pv::write_json(v, w); }));
        let keys = if json_name == proto_name {
            quote!(#json_name)
        } else {
            quote!(#json_name | #proto_name)
        };
        let oneof_error =
            format!("more than one member of the oneof `{rust_name}` is set; send only one");
        json_members.push(quote! {
            #keys => {
                if !#pv::JSON_NULL_IS_VALUE && p.take_null()? {
                    return ::core::result::Result::Ok(true);
                }
                match slot {
                    ::core::option::Option::Some(#name::#ident(v)) => #pv::merge_json(v, p)?,
                    ::core::option::Option::Some(_) => return ::core::result::Result::Err(p.error(#oneof_error)),
                    ::core::option::Option::None => {
                        let mut v = #pv::default_value();
                        #pv::merge_json(&mut v, p)?;
                        *slot = ::core::option::Option::Some(#name::#ident(v));
                    }
                }
                ::core::result::Result::Ok(true)
            }
        });
        let mut doc = doc_text(&v.attrs);
        if !a.rules.is_empty() {
            if !doc.trim().is_empty() {
                doc.push('\n');
            }
            doc.push_str(&format!("Validation: {}.", a.rules.describe()));
        }
        let rules = a.rules.code();
        let nested = quote_spanned!(ty.span()=> <#ty as ::typerpc::__private::Nested>);
        needed.push(if a.rules.is_empty() {
            quote!(#nested::NEEDED)
        } else {
            quote!(true)
        });
        checks.push(quote! {
            #name::#ident(value) => c.field(#proto_name, |c| {
                #rules
                #nested::validate_nested(value, c);
            }),
        });
        schema_variants.push(quote! {
            ::typerpc::schema::model::OneofVariantSchema {
                name: #proto_name,
                json_name: #json_name,
                number: #explicit,
                ty: #pv::TYPE,
                doc: #doc,
            }
        });
    }
    let count = data.variants.len() as u32;
    let doc = doc_text(&input.attrs);

    Ok(quote! {
        const _: () = {
            impl ::typerpc::Oneof for #name {
                fn schema() -> &'static ::typerpc::schema::model::OneofSchema {
                    static SCHEMA: ::typerpc::schema::model::OneofSchema = ::typerpc::schema::model::OneofSchema {
                        rust_name: #rust_name,
                        doc: #doc,
                        variants: &[#(#schema_variants),*],
                    };
                    &SCHEMA
                }
            }

            impl ::typerpc::__private::Nested for #name {
                const NEEDED: bool = false #(|| #needed)*;
                #[allow(unused_variables, clippy::needless_borrow)]
                fn validate_nested(&self, c: &mut ::typerpc::__private::Checker<'_>) {
                    match self {
                        #(#checks)*
                    }
                }
            }

            #[diagnostic::do_not_recommend]
            impl ::typerpc::__private::OptionalField for #name {
                const NUMBERS: u32 = #count;
                const ONEOF_NUMBERS: &'static [::core::option::Option<u32>] = &[#(#numbers),*];
                const IS_ONEOF: bool = true;
                const OPTIONAL_SHAPE: ::typerpc::schema::model::FieldShape =
                    ::typerpc::schema::model::FieldShape::Oneof(<#name as ::typerpc::Oneof>::schema);

                #[allow(clippy::identity_op, unused_variables)]
                fn new_for_tag(tag: u32, base: u32) -> ::core::option::Option<Self> {
                    #(#news)*
                    ::core::option::Option::None
                }

                #[allow(clippy::identity_op, unused_variables)]
                fn encode_present(&self, base: u32, buf: &mut impl ::typerpc::__private::BufMut) {
                    match self {
                        #(#encodes)*
                    }
                }

                #[allow(clippy::identity_op, unused_variables)]
                fn present_len(&self, base: u32) -> usize {
                    match self {
                        #(#lens)*
                    }
                }

                #[allow(clippy::identity_op, unused_variables)]
                fn owns_tag(tag: u32, base: u32) -> bool {
                    #(#owns)||*
                }

                #[allow(clippy::identity_op, unreachable_patterns)]
                fn merge_present(
                    &mut self,
                    tag: u32,
                    base: u32,
                    wire_type: ::typerpc::__private::WireType,
                    buf: &mut impl ::typerpc::__private::Buf,
                    ctx: ::typerpc::__private::DecodeContext,
                ) -> ::core::result::Result<(), ::typerpc::DecodeError> {
                    match self {
                        #(#merges)*
                        _ => {}
                    }
                    // Another member: it replaces the current one.
                    match <Self as ::typerpc::__private::OptionalField>::new_for_tag(tag, base) {
                        ::core::option::Option::Some(mut fresh) => {
                            <Self as ::typerpc::__private::OptionalField>::merge_present(
                                &mut fresh, tag, base, wire_type, buf, ctx,
                            )?;
                            *self = fresh;
                            ::core::result::Result::Ok(())
                        }
                        ::core::option::Option::None => ::core::result::Result::Err(
                            ::typerpc::__private::decode_error("field number does not belong to this oneof"),
                        ),
                    }
                }

                fn write_json_present(&self, _key: &str, w: &mut ::typerpc::message::json::JsonWriter<'_>) {
                    match self {
                        #(#json_writes)*
                    }
                }

                fn merge_json_present(
                    &mut self,
                    p: &mut ::typerpc::message::json::JsonParser<'_>,
                ) -> ::core::result::Result<(), ::typerpc::JsonError> {
                    ::core::result::Result::Err(p.error("a oneof is read member by member"))
                }

                fn merge_json_oneof_member(
                    slot: &mut ::core::option::Option<Self>,
                    key: &str,
                    p: &mut ::typerpc::message::json::JsonParser<'_>,
                ) -> ::core::result::Result<bool, ::typerpc::JsonError> {
                    match key {
                        #(#json_members)*
                        _ => ::core::result::Result::Ok(false),
                    }
                }
            }
        };
    })
}
