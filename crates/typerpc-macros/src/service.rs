//! `#[service]` on an `impl` block: every `async fn` taking `&self` becomes
//! an RPC method.
//!
//! A method takes the request message, optionally preceded by a
//! `&typerpc::Context`, and returns `Result<Response, typerpc::Status>`:
//!
//! ```ignore
//! #[service]
//! impl RecommendationService {
//!     async fn get_recommendations(&self, req: ProductRequest)
//!         -> Result<RecommendationResponse, Status> { ... }
//!     #[rpc(idempotent)]
//!     async fn get_trending(&self, ctx: &Context, req: ()) -> Result<RecommendationResponse, Status> { ... }
//! }
//! ```
//!
//! The block is emitted unchanged (minus our attributes) and an
//! implementation of `typerpc::Service` is added beside it, with a typed
//! client (`crate::client`).

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::parse::Parser;
use syn::spanned::Spanned;
use syn::{FnArg, ImplItem, ImplItemFn, ItemImpl, LitStr, ReturnType, Type};

use crate::docs::doc_text;
use crate::naming::pascal_case;

struct ServiceArgs {
    package: Option<LitStr>,
    name: Option<LitStr>,
}

fn parse_args(args: TokenStream) -> syn::Result<ServiceArgs> {
    let mut out = ServiceArgs {
        package: None,
        name: None,
    };
    let parser = syn::meta::parser(|meta| {
        if meta.path.is_ident("package") {
            out.package = Some(meta.value()?.parse()?);
        } else if meta.path.is_ident("name") {
            out.name = Some(meta.value()?.parse()?);
        } else {
            return Err(
                meta.error("typerpc: #[service] accepts `package = \"...\"` and `name = \"...\"`")
            );
        }
        Ok(())
    });
    parser.parse2(args)?;
    Ok(out)
}

struct MethodAttrs {
    name: Option<LitStr>,
    idempotent: bool,
    skip: bool,
}

/// Reads and removes `#[rpc(...)]` from a method.
fn take_method_attrs(method: &mut ImplItemFn) -> syn::Result<MethodAttrs> {
    let mut out = MethodAttrs {
        name: None,
        idempotent: false,
        skip: false,
    };
    let mut error = None;
    method.attrs.retain(|attr| {
        if !attr.path().is_ident("rpc") {
            return true;
        }
        let result = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("name") {
                out.name = Some(meta.value()?.parse()?);
            } else if meta.path.is_ident("idempotent") {
                out.idempotent = true;
            } else if meta.path.is_ident("skip") {
                out.skip = true;
            } else {
                return Err(
                    meta.error("typerpc: methods accept `name = \"...\"`, `idempotent` and `skip`")
                );
            }
            Ok(())
        });
        if let Err(e) = result {
            error.get_or_insert(e);
        }
        false
    });
    match error {
        Some(e) => Err(e),
        None => Ok(out),
    }
}

pub(crate) struct Rpc {
    pub(crate) ident: syn::Ident,
    pub(crate) proto_name: String,
    /// The request message (the item type of a `RequestStream`).
    pub(crate) request: Type,
    /// The declared return type, for unary methods' `RpcResult` check.
    pub(crate) output: Type,
    /// The response message of a server-streaming method, read from the
    /// stream's item type.
    pub(crate) stream_response: Option<Type>,
    pub(crate) client_streaming: bool,
    with_context: bool,
    pub(crate) idempotent: bool,
    pub(crate) doc: String,
}

/// The single generic argument of a path type whose last segment is
/// `name` (`RequestStream<T>` gives `T`).
fn generic_of<'a>(ty: &'a Type, name: &str) -> Option<&'a Type> {
    let Type::Path(p) = ty else { return None };
    let last = p.path.segments.last()?;
    if last.ident != name {
        return None;
    }
    match &last.arguments {
        syn::PathArguments::AngleBracketed(args) if args.args.len() == 1 => {
            match args.args.first()? {
                syn::GenericArgument::Type(t) => Some(t),
                _ => None,
            }
        }
        _ => None,
    }
}

/// The `Ok` type of `Result<T, E>`.
fn ok_type_mut(ty: &mut Type) -> Option<&mut Type> {
    let Type::Path(p) = ty else { return None };
    let last = p.path.segments.last_mut()?;
    if last.ident != "Result" {
        return None;
    }
    match &mut last.arguments {
        syn::PathArguments::AngleBracketed(args) => match args.args.first_mut()? {
            syn::GenericArgument::Type(t) => Some(t),
            _ => None,
        },
        _ => None,
    }
}

const STREAM_SHAPE: &str = "typerpc: a streaming method returns `Result<impl Stream<Item = Result<Response, Status>> + Send, Status>` or `Result<typerpc::ResponseStream<Response>, Status>`";

/// For a server-streaming return type, the response message. An
/// `impl Stream` gains `+ Send + 'static` when it lacks them: the server
/// sends from another task after the method returned, and spelling the
/// bounds out is noise (and, in edition 2024, a lifetime puzzle).
fn stream_response(output: &mut Type) -> syn::Result<Option<Type>> {
    let Some(ok) = ok_type_mut(output) else {
        return Ok(None);
    };
    if let Some(response) = generic_of(ok, "ResponseStream") {
        return Ok(Some(response.clone()));
    }
    let Type::ImplTrait(imp) = ok else {
        return Ok(None);
    };
    let mut item = None;
    let mut has_send = false;
    let mut has_static = false;
    for bound in &imp.bounds {
        match bound {
            syn::TypeParamBound::Trait(t) => {
                let Some(last) = t.path.segments.last() else {
                    continue;
                };
                if last.ident == "Send" {
                    has_send = true;
                }
                if last.ident != "Stream" {
                    continue;
                }
                if let syn::PathArguments::AngleBracketed(args) = &last.arguments {
                    for arg in &args.args {
                        if let syn::GenericArgument::AssocType(assoc) = arg {
                            if assoc.ident == "Item" {
                                item = Some(assoc.ty.clone());
                            }
                        }
                    }
                }
            }
            syn::TypeParamBound::Lifetime(l) if l.ident == "static" => has_static = true,
            _ => {}
        }
    }
    let Some(item) = item else {
        return Err(syn::Error::new_spanned(&*ok, STREAM_SHAPE));
    };
    let Some(response) = generic_of_result(&item) else {
        return Err(syn::Error::new_spanned(&item, STREAM_SHAPE));
    };
    if !has_send {
        imp.bounds.push(syn::parse_quote!(::std::marker::Send));
    }
    if !has_static {
        imp.bounds.push(syn::parse_quote!('static));
    }
    Ok(Some(response))
}

/// The `T` of `Result<T, E>`.
pub(crate) fn generic_of_result(ty: &Type) -> Option<Type> {
    let Type::Path(p) = ty else { return None };
    let last = p.path.segments.last()?;
    if last.ident != "Result" {
        return None;
    }
    match &last.arguments {
        syn::PathArguments::AngleBracketed(args) => match args.args.first()? {
            syn::GenericArgument::Type(t) => Some(t.clone()),
            _ => None,
        },
        _ => None,
    }
}

/// Whether a parameter type is `&Context` (any path ending in `Context`).
fn is_context(ty: &Type) -> bool {
    match ty {
        Type::Reference(r) if r.mutability.is_none() => match &*r.elem {
            Type::Path(p) => p.path.segments.last().is_some_and(|s| s.ident == "Context"),
            _ => false,
        },
        _ => false,
    }
}

fn rpc_of(method: &mut ImplItemFn, attrs: &MethodAttrs) -> syn::Result<Rpc> {
    let doc = doc_text(&method.attrs);
    let sig = &mut method.sig;
    if sig.asyncness.is_none() {
        return Err(syn::Error::new_spanned(
            sig.fn_token,
            "typerpc: an RPC method must be `async fn` (or mark it #[rpc(skip)])",
        ));
    }
    if !sig.generics.params.is_empty() {
        return Err(syn::Error::new_spanned(
            &sig.generics,
            "typerpc: an RPC method cannot be generic",
        ));
    }
    let mut inputs = sig.inputs.iter();
    match inputs.next() {
        Some(FnArg::Receiver(r)) if r.reference.is_some() && r.mutability.is_none() => {}
        _ => {
            return Err(syn::Error::new_spanned(
                &sig.inputs,
                "typerpc: an RPC method takes `&self` first (the server shares one service between concurrent calls)",
            ))
        }
    }
    let typed: Vec<&syn::PatType> = inputs
        .map(|arg| match arg {
            FnArg::Typed(t) => Ok(t),
            FnArg::Receiver(r) => Err(syn::Error::new_spanned(r, "typerpc: unexpected receiver")),
        })
        .collect::<syn::Result<_>>()?;
    let shape_error = || {
        syn::Error::new_spanned(
            &sig.inputs,
            "typerpc: an RPC method takes `&self`, optionally `&typerpc::Context`, and the request message: `async fn get(&self, req: Request)` or `async fn get(&self, ctx: &Context, req: Request)`",
        )
    };
    let (with_context, request) = match typed.as_slice() {
        [req] if !is_context(&req.ty) => (false, (*req.ty).clone()),
        [ctx, req] if is_context(&ctx.ty) && !is_context(&req.ty) => (true, (*req.ty).clone()),
        _ => return Err(shape_error()),
    };
    let (client_streaming, request) = match generic_of(&request, "RequestStream") {
        Some(item) => (true, item.clone()),
        None => (false, request),
    };
    let stream_response = match &mut sig.output {
        ReturnType::Type(_, ty) => stream_response(ty)?,
        ReturnType::Default => None,
    };
    let output = match &sig.output {
        ReturnType::Type(_, ty) => (**ty).clone(),
        ReturnType::Default => {
            return Err(syn::Error::new_spanned(
                &sig.ident,
                "typerpc: an RPC method returns `Result<Response, typerpc::Status>`",
            ))
        }
    };
    let proto_name = attrs
        .name
        .as_ref()
        .map_or_else(|| pascal_case(&sig.ident.to_string()), LitStr::value);
    Ok(Rpc {
        ident: sig.ident.clone(),
        proto_name,
        request,
        output,
        stream_response,
        client_streaming,
        with_context,
        idempotent: attrs.idempotent,
        doc,
    })
}

/// The service name from the impl's self type: its last path segment.
fn type_name(ty: &Type) -> syn::Result<String> {
    match ty {
        Type::Path(p) if p.qself.is_none() => p
            .path
            .segments
            .last()
            .map(|s| s.ident.to_string())
            .ok_or_else(|| syn::Error::new_spanned(ty, "typerpc: #[service] needs a named type")),
        _ => Err(syn::Error::new_spanned(
            ty,
            "typerpc: #[service] goes on `impl MyService { ... }`",
        )),
    }
}

/// Mirrors `typerpc::schema::naming::default_package_for_service`.
fn default_package(name: &str) -> String {
    let base = name
        .strip_suffix("Service")
        .filter(|b| !b.is_empty())
        .unwrap_or(name);
    format!("{}.v1", base.to_lowercase())
}

pub fn expand(args: TokenStream, input: TokenStream) -> syn::Result<TokenStream> {
    let args = parse_args(args)?;
    let mut item: ItemImpl = syn::parse2(input)?;
    if let Some((_, path, _)) = &item.trait_ {
        return Err(syn::Error::new_spanned(
            path,
            "typerpc: #[service] goes on an inherent `impl MyService`, not a trait impl",
        ));
    }
    if !item.generics.params.is_empty() {
        return Err(syn::Error::new_spanned(
            &item.generics,
            "typerpc: a service type cannot be generic",
        ));
    }
    let self_ty = (*item.self_ty).clone();
    let rust_name = type_name(&self_ty)?;
    let service_name = args
        .name
        .as_ref()
        .map_or_else(|| rust_name.clone(), LitStr::value);
    let package = args
        .package
        .as_ref()
        .map_or_else(|| default_package(&rust_name), LitStr::value);
    let service_doc = doc_text(&item.attrs);

    let mut rpcs = Vec::new();
    for impl_item in &mut item.items {
        let ImplItem::Fn(method) = impl_item else {
            continue;
        };
        let attrs = take_method_attrs(method)?;
        if attrs.skip || !matches!(method.sig.inputs.first(), Some(FnArg::Receiver(_))) {
            continue;
        }
        let rpc = rpc_of(method, &attrs)?;
        if let Some(other) = rpcs.iter().find(|r: &&Rpc| r.proto_name == rpc.proto_name) {
            return Err(syn::Error::new_spanned(
                &method.sig.ident,
                format!(
                    "typerpc: methods `{}` and `{}` both map to the RPC name `{}`; rename one or set #[rpc(name = \"...\")]",
                    other.ident, rpc.ident, rpc.proto_name
                ),
            ));
        }
        rpcs.push(rpc);
    }
    if rpcs.is_empty() {
        return Err(syn::Error::new_spanned(
            &self_ty,
            "typerpc: a #[service] impl needs at least one `async fn` method",
        ));
    }

    let schemas = rpcs.iter().map(|r| {
        let name = &r.proto_name;
        let req = &r.request;
        let out = &r.output;
        let idempotent = r.idempotent;
        let doc = &r.doc;
        let client_streaming = r.client_streaming;
        let server_streaming = r.stream_response.is_some();
        let output = match &r.stream_response {
            Some(res) => quote_spanned!(res.span()=> <#res as ::typerpc::Message>::schema),
            None => quote_spanned!(out.span()=>
                <<#out as ::typerpc::service::RpcResult>::Response as ::typerpc::Message>::schema),
        };
        quote_spanned! {r.output.span()=>
            ::typerpc::schema::model::MethodSchema {
                name: #name,
                input: <#req as ::typerpc::Message>::schema,
                output: #output,
                client_streaming: #client_streaming,
                server_streaming: #server_streaming,
                idempotent: #idempotent,
                doc: #doc,
            }
        }
    });
    let methods = rpcs.iter().enumerate().map(|(index, r)| {
        let ident = &r.ident;
        let req = &r.request;
        let out = &r.output;
        let call = if r.with_context {
            quote!(service.#ident(&ctx, request).await)
        } else {
            quote!({ let _ = &ctx; service.#ident(request).await })
        };
        let method = quote!(::typerpc::service::Method);
        let arc = quote!(::std::sync::Arc::clone(&self));
        match (r.client_streaming, &r.stream_response) {
            (false, None) => quote! {
                #method::unary::<Self, #req, <#out as ::typerpc::service::RpcResult>::Response, _, _>(
                    &SCHEMA.methods[#index],
                    #arc,
                    |service: ::std::sync::Arc<Self>, ctx: ::typerpc::Context, request: #req| async move {
                        ::typerpc::service::RpcResult::into_result(#call)
                    },
                )
            },
            (true, None) => quote! {
                #method::client_streaming::<Self, #req, <#out as ::typerpc::service::RpcResult>::Response>(
                    &SCHEMA.methods[#index],
                    #arc,
                    |service, ctx, request| ::std::boxed::Box::pin(async move {
                        ::typerpc::service::RpcResult::into_result(#call)
                    }),
                )
            },
            (client_streaming, Some(res)) => {
                let constructor = if client_streaming {
                    quote!(bidi_streaming)
                } else {
                    quote!(server_streaming)
                };
                quote! {
                    #method::#constructor::<Self, #req, #res>(
                        &SCHEMA.methods[#index],
                        #arc,
                        |service, ctx, request| ::std::boxed::Box::pin(async move {
                            let result: ::std::result::Result<_, ::typerpc::Status> = #call;
                            result.map(::typerpc::ResponseStream::new)
                        }),
                    )
                }
            }
        }
    });

    let client = crate::client::expand(&rust_name, &package, &service_name, &rpcs);
    Ok(quote! {
        #item

        #client

        const _: () = {
            static SCHEMA: ::typerpc::schema::model::ServiceSchema = ::typerpc::schema::model::ServiceSchema {
                name: #service_name,
                package: #package,
                doc: #service_doc,
                methods: &[#(#schemas),*],
            };

            impl ::typerpc::service::Service for #self_ty {
                fn schema() -> &'static ::typerpc::schema::model::ServiceSchema {
                    &SCHEMA
                }

                fn methods(self: ::std::sync::Arc<Self>) -> ::std::vec::Vec<::typerpc::service::Method> {
                    ::std::vec![#(#methods),*]
                }
            }
        };
    })
}
