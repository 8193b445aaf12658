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
//! implementation of `typerpc::Service` is added beside it.

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

struct Rpc {
    ident: syn::Ident,
    proto_name: String,
    request: Type,
    output: Type,
    with_context: bool,
    idempotent: bool,
    doc: String,
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

fn rpc_of(method: &ImplItemFn, attrs: &MethodAttrs) -> syn::Result<Rpc> {
    let sig = &method.sig;
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
        with_context,
        idempotent: attrs.idempotent,
        doc: doc_text(&method.attrs),
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
        quote_spanned! {r.output.span()=>
            ::typerpc::schema::model::MethodSchema {
                name: #name,
                input: <#req as ::typerpc::Message>::schema,
                output: <<#out as ::typerpc::service::RpcResult>::Response as ::typerpc::Message>::schema,
                client_streaming: false,
                server_streaming: false,
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
        quote! {
            ::typerpc::service::Method::unary::<Self, #req, <#out as ::typerpc::service::RpcResult>::Response>(
                &SCHEMA.methods[#index],
                ::std::sync::Arc::clone(&self),
                |service, ctx, request| ::std::boxed::Box::pin(async move {
                    ::typerpc::service::RpcResult::into_result(#call)
                }),
            )
        }
    });

    Ok(quote! {
        #item

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
