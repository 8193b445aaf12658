//! Derive and attribute macros for typerpc. Use them through the `typerpc`
//! crate (`typerpc::Message`); this crate emits code and holds no runtime
//! logic.

mod attrs;
mod client;
mod docs;
mod enumeration;
mod message;
mod naming;
mod oneof;
mod service;
mod validate;

use proc_macro::TokenStream;
use syn::{parse_macro_input, Data, DeriveInput};

/// Derives a protobuf message (for a struct), enum (for an enum of unit
/// variants) or oneof (for an enum whose variants hold one value each).
/// See the `typerpc::Message` trait for the attributes.
#[proc_macro_derive(Message, attributes(rpc))]
pub fn derive_message(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    let result = match &input.data {
        Data::Struct(data) => message::expand(&input, data),
        Data::Enum(data) => {
            if enumeration::is_enumeration(data) {
                enumeration::expand(&input, data)
            } else {
                oneof::expand(&input, data)
            }
        }
        Data::Union(_) => Err(syn::Error::new_spanned(
            &input.ident,
            "typerpc: `#[derive(Message)]` works on structs (messages) and enums (proto enums or oneofs), not unions",
        )),
    };
    result.unwrap_or_else(syn::Error::into_compile_error).into()
}

/// Turns an `impl` block of `async fn`s into an RPC service, and
/// generates its typed client (`FooService` gets `FooServiceClient`, with
/// one async method per RPC and a `_with` twin taking call options). See
/// `typerpc::service` for the rules and an example of the client.
#[proc_macro_attribute]
pub fn service(args: TokenStream, input: TokenStream) -> TokenStream {
    service::expand(args.into(), input.into())
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}
