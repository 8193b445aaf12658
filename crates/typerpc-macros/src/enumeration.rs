//! `#[derive(Message)]` on an enum of unit variants: a protobuf enum.

use proc_macro2::TokenStream;
use quote::quote;
use syn::{DataEnum, DeriveInput, Fields, LitStr};

use crate::attrs;
use crate::docs::doc_text;
use crate::naming::screaming_snake;

/// An enum is a proto enum when every variant is a unit, except at most one
/// `#[rpc(unknown)]` catch-all holding the number.
pub fn is_enumeration(data: &DataEnum) -> bool {
    data.variants.iter().all(|v| {
        matches!(v.fields, Fields::Unit)
            || v.attrs.iter().any(|a| {
                a.path().is_ident("rpc")
                    && a.parse_nested_meta(|m| {
                        if m.path.is_ident("unknown") {
                            Err(m.error("found"))
                        } else {
                            // Skip a value if the key has one.
                            if m.input.peek(syn::Token![=]) {
                                let _: syn::Expr = m.value()?.parse()?;
                            }
                            Ok(())
                        }
                    })
                    .is_err()
            })
    })
}

pub fn expand(input: &DeriveInput, data: &DataEnum) -> syn::Result<TokenStream> {
    if !input.generics.params.is_empty() {
        return Err(syn::Error::new_spanned(
            &input.generics,
            "typerpc: an enum cannot be generic",
        ));
    }
    let container = attrs::container(&input.attrs)?;
    if !container.reserved_numbers.is_empty()
        || !container.reserved_names.is_empty()
        || container.custom_json
        || container.validate_with.is_some()
    {
        return Err(syn::Error::new_spanned(
            &input.ident,
            "typerpc: enums accept `name`, `package` and `file` only",
        ));
    }
    let name = &input.ident;
    let proto_name = container
        .name
        .as_ref()
        .map_or_else(|| name.to_string(), LitStr::value);
    // The prefix comes from the last segment of a nested name.
    let prefix = screaming_snake(proto_name.rsplit('.').next().unwrap_or(&proto_name));

    let mut values = Vec::new();
    let mut unknown = None;
    let mut next = 0i32;
    for v in &data.variants {
        let a = attrs::enum_value(&v.attrs)?;
        let ident = &v.ident;
        if a.unknown {
            let ok = matches!(&v.fields, Fields::Unnamed(u) if u.unnamed.len() == 1);
            if !ok || unknown.is_some() {
                return Err(syn::Error::new_spanned(
                    v,
                    "typerpc: the catch-all must be one variant like `#[rpc(unknown)] Other(i32)`",
                ));
            }
            unknown = Some(ident.clone());
            continue;
        }
        let number = match (&v.discriminant, a.value) {
            (Some(_), Some(_)) => {
                return Err(syn::Error::new_spanned(
                    v,
                    "typerpc: give the number once, as `= N` or `#[rpc(value = N)]`",
                ))
            }
            (Some((_, expr)), None) => attrs::int_expr(expr)?,
            (None, Some(n)) => n,
            (None, None) => next,
        };
        next = number.checked_add(1).unwrap_or(number);
        let value_name = a.name.as_ref().map_or_else(
            || format!("{prefix}_{}", screaming_snake(&ident.to_string())),
            LitStr::value,
        );
        if let Some((other, _, _, _)) = values
            .iter()
            .find(|(_, n, _, _): &&(syn::Ident, i32, String, String)| *n == number)
        {
            return Err(syn::Error::new(
                ident.span(),
                format!(
                    "typerpc: enum number {number} is used twice, by `{other}` and `{ident}`; give each variant its own number"
                ),
            ));
        }
        if let Some((other, _, _, _)) = values.iter().find(|(_, _, s, _)| *s == value_name) {
            return Err(syn::Error::new(
                ident.span(),
                format!(
                    "typerpc: enum value name {value_name} is used twice, by `{other}` and `{ident}`; rename one with #[rpc(name = \"...\")]"
                ),
            ));
        }
        values.push((ident.clone(), number, value_name, doc_text(&v.attrs)));
    }
    let Some(zero) = values
        .iter()
        .find(|(_, n, _, _)| *n == 0)
        .map(|(i, _, _, _)| i.clone())
    else {
        return Err(syn::Error::new_spanned(
            name,
            "typerpc: a proto3 enum needs a value numbered 0 (its default); put an `Unspecified` variant first",
        ));
    };
    if values.first().map(|(_, n, _, _)| *n) != Some(0) {
        return Err(syn::Error::new(
            zero.span(),
            format!("typerpc: proto3 wants the value numbered 0 first; move `{zero}` to the top"),
        ));
    }

    let doc = doc_text(&input.attrs);
    let package = opt(&container.package);
    let file = opt(&container.file);
    let schema_values = values.iter().map(|(_, n, s, d)| {
        quote!(::typerpc::schema::model::EnumValueSchema { name: #s, number: #n, doc: #d })
    });
    let to_number = values.iter().map(|(i, n, _, _)| quote!(#name::#i => #n,));
    let from_number = values
        .iter()
        .map(|(i, n, _, _)| quote!(#n => ::core::option::Option::Some(#name::#i),));
    let to_name = values
        .iter()
        .map(|(i, _, s, _)| quote!(#name::#i => ::core::option::Option::Some(#s),));
    let from_name = values
        .iter()
        .map(|(i, _, s, _)| quote!(#s => ::core::option::Option::Some(#name::#i),));
    let (unknown_to_number, unknown_from_number, unknown_to_name) = match &unknown {
        Some(u) => (
            quote!(#name::#u(n) => *n,),
            quote!(n => ::core::option::Option::Some(#name::#u(n)),),
            quote!(#name::#u(_) => ::core::option::Option::None,),
        ),
        None => (
            quote!(),
            quote!(_ => ::core::option::Option::None,),
            quote!(),
        ),
    };

    Ok(quote! {
        const _: () = {
            impl ::core::default::Default for #name {
                fn default() -> Self {
                    #name::#zero
                }
            }

            impl ::typerpc::Enumeration for #name {
                fn schema() -> &'static ::typerpc::schema::model::EnumSchema {
                    static SCHEMA: ::typerpc::schema::model::EnumSchema = ::typerpc::schema::model::EnumSchema {
                        name: #proto_name,
                        package: #package,
                        file: #file,
                        doc: #doc,
                        values: &[#(#schema_values),*],
                    };
                    &SCHEMA
                }
                fn to_number(&self) -> i32 {
                    match self {
                        #(#to_number)*
                        #unknown_to_number
                    }
                }
                fn from_number(number: i32) -> ::core::option::Option<Self> {
                    match number {
                        #(#from_number)*
                        #unknown_from_number
                    }
                }
                fn proto_name(&self) -> ::core::option::Option<&'static str> {
                    match self {
                        #(#to_name)*
                        #unknown_to_name
                    }
                }
                fn from_proto_name(name: &str) -> ::core::option::Option<Self> {
                    match name {
                        #(#from_name)*
                        _ => ::core::option::Option::None,
                    }
                }
            }

            ::typerpc::__impl_enum_value!(#name);
        };
    })
}

fn opt(value: &Option<LitStr>) -> TokenStream {
    match value {
        Some(lit) => quote!(::core::option::Option::Some(#lit)),
        None => quote!(::core::option::Option::None),
    }
}
