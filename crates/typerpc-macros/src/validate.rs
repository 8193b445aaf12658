//! Constraints in `#[rpc(...)]` (`min_len = 1`, `ge = 0`, `items(email)`,
//! ...): parsing, the checks that can run at compile time, the code that
//! checks a value at run time, and the text the `.proto` comment shows.

use proc_macro2::{Literal, Span, TokenStream};
use quote::{quote, quote_spanned, ToTokens};
use syn::meta::ParseNestedMeta;
use syn::{Expr, ExprArray, ExprLit, Ident, Lit, LitInt, LitStr};

/// The constraint keys, for error messages.
pub const KEYS: &str = "`min_len`, `max_len`, `len`, `pattern`, `email`, `uri`, `uuid`, `hostname`, `ip`, `ipv4`, `ipv6`, `prefix`, `suffix`, `contains`, `gt`, `ge`, `lt`, `le`, `in`, `not_in`, `finite`, `min_items`, `max_items`, `unique`, `items(...)`, `keys(...)`, `values(...)`, `required`, `defined_only` and `validate_with`";

/// The string formats: key, checking function, description.
const FORMATS: &[(&str, &str, &str)] = &[
    ("email", "email", "a valid email address"),
    ("uri", "uri", "a valid absolute URI"),
    ("uuid", "uuid", "a valid UUID"),
    ("hostname", "hostname", "a valid host name"),
    ("ip", "ip", "a valid IP address"),
    ("ipv4", "ipv4", "a valid IPv4 address"),
    ("ipv6", "ipv6", "a valid IPv6 address"),
];

enum Kind {
    /// `min_len`, `max_len`, `len`, `min_items`, `max_items`.
    Size(LitInt, usize),
    Pattern(LitStr),
    Format(&'static str, &'static str),
    Affix(LitStr),
    /// `gt`, `ge`, `lt`, `le`, with the bound's value when it is a literal.
    Bound(Expr, Option<f64>),
    /// `in`, `not_in`.
    List(ExprArray, bool),
    /// `finite`, `required`, `defined_only`, `unique`.
    Flag,
    /// `items`, `keys`, `values`.
    Each(Rules),
    Custom(syn::Path),
}

struct Rule {
    key: Ident,
    name: String,
    kind: Kind,
}

/// The constraints of one field, oneof variant, or (inside `items(...)`,
/// `keys(...)`, `values(...)`) of each element.
#[derive(Default)]
pub struct Rules {
    list: Vec<Rule>,
    nested: bool,
}

fn lit_number(expr: &Expr) -> Option<f64> {
    match expr {
        Expr::Lit(ExprLit {
            lit: Lit::Int(i), ..
        }) => i.base10_digits().parse().ok(),
        Expr::Lit(ExprLit {
            lit: Lit::Float(f), ..
        }) => f.base10_digits().parse().ok(),
        Expr::Unary(syn::ExprUnary {
            op: syn::UnOp::Neg(_),
            expr,
            ..
        }) => lit_number(expr).map(|v| -v),
        Expr::Group(g) => lit_number(&g.expr),
        Expr::Paren(p) => lit_number(&p.expr),
        _ => None,
    }
}

fn expr_text(expr: &Expr) -> String {
    match expr {
        Expr::Lit(ExprLit { lit, .. }) => lit.to_token_stream().to_string(),
        Expr::Unary(syn::ExprUnary {
            op: syn::UnOp::Neg(_),
            expr,
            ..
        }) => format!("-{}", expr_text(expr)),
        Expr::Group(g) => expr_text(&g.expr),
        other => other.to_token_stream().to_string(),
    }
}

fn is_str(expr: &Expr) -> bool {
    matches!(
        expr,
        Expr::Lit(ExprLit {
            lit: Lit::Str(_),
            ..
        })
    )
}

impl Rules {
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// Parses `meta` if it is a constraint; `Ok(false)` when it is not.
    pub fn parse(&mut self, meta: &ParseNestedMeta<'_>) -> syn::Result<bool> {
        let Some(key) = meta.path.get_ident().cloned() else {
            return Ok(false);
        };
        let name = key.to_string();
        if self.list.iter().any(|r| r.name == name) {
            return Err(syn::Error::new(
                key.span(),
                format!("typerpc: `{name}` is given twice"),
            ));
        }
        let kind = match name.as_str() {
            "min_len" | "max_len" | "len" | "min_items" | "max_items" => {
                let lit: LitInt = meta.value()?.parse()?;
                let n = lit.base10_parse::<usize>().map_err(|_| {
                    syn::Error::new(
                        lit.span(),
                        format!("typerpc: `{name}` takes a non-negative integer"),
                    )
                })?;
                Kind::Size(lit, n)
            }
            "pattern" => {
                let lit: LitStr = meta.value()?.parse()?;
                if let Err(e) = regex_syntax::Parser::new().parse(&lit.value()) {
                    return Err(syn::Error::new(
                        lit.span(),
                        format!("typerpc: this pattern is not a valid regular expression:\n{e}"),
                    ));
                }
                Kind::Pattern(lit)
            }
            "prefix" | "suffix" | "contains" => Kind::Affix(meta.value()?.parse()?),
            "gt" | "ge" | "lt" | "le" => {
                let expr: Expr = meta.value()?.parse()?;
                let value = lit_number(&expr);
                if let Some(v) = value {
                    if v.is_nan() {
                        return Err(syn::Error::new_spanned(
                            &expr,
                            "typerpc: a bound cannot be NaN",
                        ));
                    }
                }
                Kind::Bound(expr, value)
            }
            "in" | "not_in" => {
                let list: ExprArray = meta.value()?.parse()?;
                if list.elems.is_empty() {
                    return Err(syn::Error::new_spanned(
                        &list,
                        format!("typerpc: `{name}` needs at least one value"),
                    ));
                }
                let strings = list.elems.iter().filter(|e| is_str(e)).count();
                if strings != 0 && strings != list.elems.len() {
                    return Err(syn::Error::new_spanned(
                        &list,
                        "typerpc: the list mixes strings and numbers",
                    ));
                }
                for e in &list.elems {
                    if !is_str(e) && lit_number(e).is_none() {
                        return Err(syn::Error::new_spanned(
                            e,
                            "typerpc: list values are number or string literals",
                        ));
                    }
                }
                Kind::List(list, strings != 0)
            }
            "finite" | "unique" | "defined_only" => Kind::Flag,
            "required" if !self.nested => Kind::Flag,
            "items" | "keys" | "values" if !self.nested => {
                let mut inner = Rules {
                    list: Vec::new(),
                    nested: true,
                };
                meta.parse_nested_meta(|m| {
                    if inner.parse(&m)? {
                        Ok(())
                    } else {
                        Err(m.error(format!("typerpc: unknown constraint; inside `{name}(...)` the constraints are {KEYS}, except `items`, `keys`, `values` and `required`")))
                    }
                })?;
                inner.check()?;
                Kind::Each(inner)
            }
            "validate_with" => Kind::Custom(meta.value()?.parse()?),
            other => match FORMATS.iter().find(|(k, _, _)| *k == other) {
                Some((_, function, what)) => Kind::Format(function, what),
                None => return Ok(false),
            },
        };
        self.list.push(Rule { key, name, kind });
        Ok(true)
    }

    fn get(&self, name: &str) -> Option<&Rule> {
        self.list.iter().find(|r| r.name == name)
    }

    fn size(&self, name: &str) -> Option<(usize, &LitInt)> {
        match &self.get(name)?.kind {
            Kind::Size(lit, n) => Some((*n, lit)),
            _ => None,
        }
    }

    fn bound(&self, name: &str) -> Option<(&Rule, Option<f64>)> {
        let rule = self.get(name)?;
        match &rule.kind {
            Kind::Bound(_, v) => Some((rule, *v)),
            _ => None,
        }
    }

    /// The contradictions the compiler can see.
    pub fn check(&self) -> syn::Result<()> {
        for (min, max, what) in [
            ("min_len", "max_len", "length"),
            ("min_items", "max_items", "item count"),
        ] {
            if let (Some((lo, _)), Some((hi, lit))) = (self.size(min), self.size(max)) {
                if lo > hi {
                    return Err(syn::Error::new(
                        lit.span(),
                        format!("typerpc: `{min} = {lo}` is larger than `{max} = {hi}`: no {what} can satisfy both"),
                    ));
                }
            }
        }
        if let (Some((_, lit)), true) = (
            self.size("len"),
            self.get("min_len").is_some() || self.get("max_len").is_some(),
        ) {
            return Err(syn::Error::new(
                lit.span(),
                "typerpc: `len` fixes the length; drop `min_len` / `max_len`",
            ));
        }
        for (a, b) in [("gt", "ge"), ("lt", "le")] {
            if let (Some(_), Some((rule, _))) = (self.get(a), self.bound(b)) {
                return Err(syn::Error::new(
                    rule.key.span(),
                    format!("typerpc: give either `{a}` or `{b}`, not both"),
                ));
            }
        }
        let lower = self.bound("gt").or(self.bound("ge"));
        let upper = self.bound("lt").or(self.bound("le"));
        if let (Some((lo_rule, Some(lo))), Some((hi_rule, Some(hi)))) = (lower, upper) {
            let exclusive = lo_rule.name == "gt" || hi_rule.name == "lt";
            if lo > hi || (lo == hi && exclusive) {
                return Err(syn::Error::new(
                    hi_rule.key.span(),
                    format!(
                        "typerpc: no value can satisfy both `{}` and `{}`: the lower bound is not below the upper bound",
                        describe_rule(lo_rule),
                        describe_rule(hi_rule)
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Code checking `value` (a `&T` in scope, as is `c`, a checker scoped
    /// to the value).
    pub fn code(&self) -> TokenStream {
        let calls = self.list.iter().map(rule_code);
        quote!(#(#calls)*)
    }

    /// The constraints as the `.proto` comment shows them.
    pub fn describe(&self) -> String {
        self.list
            .iter()
            .map(describe_rule)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn rule_code(rule: &Rule) -> TokenStream {
    let span = rule.key.span();
    let name = &rule.name;
    let r = quote_spanned!(span=> ::typerpc::__private::rules);
    match &rule.kind {
        Kind::Size(_, n) => {
            let f = Ident::new(name, span);
            let n = Literal::usize_unsuffixed(*n);
            quote_spanned!(span=> #r::#f(value, #n, c);)
        }
        Kind::Pattern(lit) => quote_spanned! {span=>
            {
                static REGEX: ::typerpc::__private::OnceLock<::typerpc::__private::Regex> =
                    ::typerpc::__private::OnceLock::new();
                #r::pattern(value, &REGEX, #lit, c);
            }
        },
        Kind::Format(function, what) => {
            let f = Ident::new(function, span);
            quote_spanned!(span=> #r::format(value, #name, ::typerpc::validate::formats::#f, #what, c);)
        }
        Kind::Affix(lit) => quote_spanned!(span=> #r::affix(value, #name, #lit, c);),
        Kind::Bound(expr, _) => quote_spanned!(span=> #r::bound(value, #name, #expr, c);),
        Kind::List(list, strings) => {
            let f = if name == "in" {
                quote!(one_of)
            } else {
                quote!(none_of)
            };
            let elems = list.elems.iter().map(|e| {
                if *strings {
                    quote!(#e)
                } else {
                    quote!(#r::Num(#e))
                }
            });
            quote_spanned!(span=> #r::#f(value, &[#(#elems),*], c);)
        }
        Kind::Flag => {
            let f = Ident::new(name, span);
            quote_spanned!(span=> #r::#f(value, c);)
        }
        Kind::Each(inner) => {
            let body = inner.code();
            match name.as_str() {
                "items" => quote_spanned!(span=> #r::each_item(value, c, |value, c| { #body });),
                "keys" => quote_spanned!(span=> #r::each_entry(value, c, |value, _, c| { #body });),
                _ => quote_spanned!(span=> #r::each_entry(value, c, |_, value, c| { #body });),
            }
        }
        Kind::Custom(path) => {
            let id = path
                .segments
                .last()
                .map(|s| s.ident.to_string())
                .unwrap_or_default();
            let span = path_span(path);
            quote_spanned!(span=> #r::custom(#path(value), #id, c);)
        }
    }
}

fn path_span(path: &syn::Path) -> Span {
    path.segments
        .last()
        .map_or_else(Span::call_site, |s| s.ident.span())
}

fn describe_rule(rule: &Rule) -> String {
    let name = &rule.name;
    match &rule.kind {
        Kind::Size(lit, _) => format!("{name} = {}", lit.base10_digits()),
        Kind::Pattern(lit) | Kind::Affix(lit) => {
            format!("{name} = \"{}\"", lit.value().replace('\n', "\\n"))
        }
        Kind::Format(..) | Kind::Flag => name.clone(),
        Kind::Bound(expr, _) => format!("{name} = {}", expr_text(expr)),
        Kind::List(list, _) => {
            let items: Vec<String> = list.elems.iter().map(expr_text).collect();
            format!("{name} = [{}]", items.join(", "))
        }
        Kind::Each(inner) => format!("{name}({})", inner.describe()),
        Kind::Custom(path) => {
            let text: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
            format!("{name} = {}", text.join("::"))
        }
    }
}
