//! The builder surface of an operation: where its parameters and body are held, and the
//! setters that fill them.

use proc_macro2::TokenStream;
use quote::quote;

use crate::emit::tokens::{doc, ident, paragraphs, rust_type, MacroArm, TypesPath};
use crate::ir::{Api, Operation, Param, ParamLocation, RequestBody, Struct, TypeRef};

use super::request::body_always_sent;
use super::struct_of;

/// How the builder holds the request body.
pub(super) enum BodyStore<'a> {
    None,
    /// AWS JSON operations without input: `{}` on the wire.
    EmptyObject(&'a RequestBody),
    /// An object body, gathered property by property into typed slots of the builder and
    /// assembled into its struct in `send()`.
    Object(&'a RequestBody, &'a Struct),
    /// Any other body, set whole.
    Whole(&'a RequestBody),
}

pub(super) fn body_store<'a>(api: &'a Api, op: &'a Operation) -> BodyStore<'a> {
    match &op.body {
        None => BodyStore::None,
        Some(body) if body.ty == TypeRef::Unit => BodyStore::EmptyObject(body),
        Some(body) if !body.properties.is_empty() => match struct_of(api, &body.ty) {
            Some(def) => BodyStore::Object(body, def),
            None => BodyStore::Whole(body),
        },
        Some(body) => BodyStore::Whole(body),
    }
}

/// The builder field that holds one property of an object body until `send()`: named after
/// the property, kept apart from the parameters' fields.
pub(super) fn slot(op: &Operation, property: &str) -> proc_macro2::Ident {
    let mut name = format!("body_{property}");
    while op.params.iter().any(|p| p.rust_name == name) {
        name.push('_');
    }
    ident(&name)
}

pub(super) const ADDITIONAL: &str = "additional_properties";

pub(super) fn settable_params(op: &Operation) -> impl Iterator<Item = &Param> {
    op.params.iter().filter(|p| p.constant.is_none())
}

/// The parameters a builder has a field and a setter of its own for: the settable ones
/// that are not shared (`Api::shared_params`).
pub(super) fn own_params(op: &Operation) -> impl Iterator<Item = &Param> {
    settable_params(op).filter(|p| p.shared.is_none())
}

/// Whether the builder has a `shared` field (of type `SharedParams`): it takes a shared
/// parameter.
pub(super) fn takes_shared(op: &Operation) -> bool {
    op.params.iter().any(|p| p.shared.is_some())
}

/// The field of `SharedParams` (and the macros' arm) of a shared parameter.
pub(super) fn shared_field(p: &Param) -> &str {
    p.shared.as_deref().unwrap_or(&p.rust_name)
}

/// Where a builder keeps a parameter's value (an `Option`): its own field, or its field of
/// the shared parameters.
pub(super) fn param_field(p: &Param) -> TokenStream {
    match &p.shared {
        Some(field) => {
            let field = ident(field);
            quote!(self.shared.#field)
        }
        None => {
            let field = ident(&p.rust_name);
            quote!(self.#field)
        }
    }
}

/// `shared_setters!(a, b);` in a builder's `impl`: the setters of its shared parameters.
pub(super) fn shared_setters_call(op: &Operation) -> TokenStream {
    let shared: Vec<_> = settable_params(op).filter_map(|p| p.shared.as_deref()).map(ident).collect();
    if shared.is_empty() {
        return TokenStream::new();
    }
    quote!(shared_setters!(#( #shared ),*);)
}

/// The struct of shared parameter values, and the `shared_setters!` macro's arms: one
/// setter per shared parameter, written as the builders' own are.
pub(super) fn shared_params(api: &Api) -> Option<(TokenStream, Vec<MacroArm>)> {
    if api.shared_params.is_empty() {
        return None;
    }
    let name = ident(crate::ir::SHARED_PARAMS);
    let fields = api.shared_params.iter().map(|p| {
        let field = ident(shared_field(p));
        let ty = rust_type(api, &p.ty, TypesPath::Crate);
        quote!(#field: Option<#ty>,)
    });
    // With cargo features, a build may have none of the operations that use a field.
    let allow = (!api.features.is_empty()).then(|| quote!(#[allow(dead_code)]));
    let puts = super::request::shared_put_methods(api);
    let definition = quote! {
        /// The values of the parameters that many operations declare alike, each set through
        /// the builder's own setter (`shared_setters!`) and put on the request by one method
        /// for every operation.
        #[derive(Clone, Default)]
        #allow
        struct #name {
            #( #fields )*
        }

        #allow
        impl #name {
            #puts
        }
    };
    let arms = api
        .shared_params
        .iter()
        .map(|p| MacroArm { name: shared_field(p).to_string(), takes_argument: false, items: param_setter(api, p) })
        .collect();
    Some((definition, arms))
}

/// A setter's argument type and how to turn it into the stored value: arrays take any
/// iterable of things that convert into their items (`["a", "b"]` for a `Vec<String>`).
pub(super) fn setter_input(api: &Api, ty: &TypeRef) -> (TokenStream, TokenStream) {
    match ty {
        TypeRef::Vec(item) => {
            let item = rust_type(api, item, TypesPath::Crate);
            (
                quote!(impl ::std::iter::IntoIterator<Item = impl ::std::convert::Into<#item>>),
                quote!(value.into_iter().map(::std::convert::Into::into).collect::<Vec<#item>>()),
            )
        }
        ty => {
            let ty = rust_type(api, ty, TypesPath::Crate);
            (quote!(impl ::std::convert::Into<#ty>), quote!(value.into()))
        }
    }
}

pub(super) fn param_setter(api: &Api, p: &Param) -> TokenStream {
    let setter = ident(&p.rust_name);
    let field = param_field(p);
    let (input, convert) = setter_input(api, &p.ty);
    let place = match p.location {
        ParamLocation::Path => "path",
        ParamLocation::Query => "query",
        ParamLocation::Header => "header",
    };
    let requirement = if p.required { "required" } else { "optional" };
    let line = format!("`{}` ({place} parameter, {requirement}).", p.wire_name);
    let docs = doc(paragraphs(&[p.description.as_deref(), Some(&line)]).as_deref());
    quote! {
        #docs
        pub fn #setter(mut self, value: #input) -> Self {
            #field = Some(#convert);
            self
        }
    }
}

/// The builder's fields that hold the body, with the value each starts out with.
pub(super) fn body_fields(op: &Operation, store: &BodyStore<'_>) -> Vec<(proc_macro2::Ident, TokenStream)> {
    match store {
        BodyStore::None | BodyStore::EmptyObject(_) => Vec::new(),
        BodyStore::Whole(_) => vec![(ident("body"), quote!(None))],
        BodyStore::Object(body, def) => {
            let mut fields: Vec<_> = def.fields.iter().map(|f| (slot(op, &f.rust_name), quote!(None))).collect();
            if def.additional.is_some() {
                fields.push((slot(op, ADDITIONAL), quote!(None)));
            }
            // An optional body goes out once anything of it is set, even to nothing but `{}`.
            if !body_always_sent(body) {
                fields.push((ident("body_set"), quote!(false)));
            }
            fields
        }
    }
}

pub(super) fn body_members(api: &Api, op: &Operation, store: &BodyStore<'_>) -> (TokenStream, TokenStream) {
    match store {
        BodyStore::None | BodyStore::EmptyObject(_) => (TokenStream::new(), TokenStream::new()),
        BodyStore::Whole(body) => {
            let ty = rust_type(api, &body.ty, TypesPath::Crate);
            (
                quote!(body: Option<#ty>,),
                quote! {
                    /// The whole request body.
                    pub fn body(mut self, value: impl ::std::convert::Into<#ty>) -> Self {
                        self.body = Some(value.into());
                        self
                    }
                },
            )
        }
        BodyStore::Object(body, def) => {
            let ty = rust_type(api, &body.ty, TypesPath::Crate);
            let mark = (!body_always_sent(body)).then(|| quote!(self.body_set = true;));
            let slots = def.fields.iter().map(|f| {
                let slot = slot(op, &f.rust_name);
                let value = rust_type(api, &f.ty, TypesPath::Crate);
                quote!(#slot: Option<#value>,)
            });
            let additional = def.additional.as_ref().map(|value| {
                let slot = slot(op, ADDITIONAL);
                let value = rust_type(api, value, TypesPath::Crate);
                quote!(#slot: Option<::std::collections::BTreeMap<String, #value>>,)
            });
            let flag = mark.is_some().then(|| quote!(body_set: bool,));
            let setters = body.properties.iter().filter_map(|property| {
                let field = def.fields.iter().find(|f| f.rust_name == property.rust_name)?;
                let setter = ident(&property.rust_name);
                let slot = slot(op, &field.rust_name);
                let (input, convert) = setter_input(api, &property.ty);
                let line = format!("Sets the body property `{}`.", property.wire_name);
                let docs = doc(paragraphs(&[property.description.as_deref(), Some(&line)]).as_deref());
                Some(quote! {
                    #docs
                    pub fn #setter(mut self, value: #input) -> Self {
                        self.#slot = Some(#convert);
                        #mark
                        self
                    }
                })
            });
            // `.body(value)` spreads the value over the slots, so that property setters
            // called afterwards change it.
            let members = def.fields.iter().map(|f| ident(&f.rust_name));
            let spread = def.fields.iter().map(|f| {
                let member = ident(&f.rust_name);
                let slot = slot(op, &f.rust_name);
                match (f.is_optional(), f.boxed) {
                    (false, false) => quote!(self.#slot = Some(#member);),
                    (false, true) => quote!(self.#slot = Some(*#member);),
                    (true, false) => quote!(self.#slot = #member;),
                    (true, true) => quote!(self.#slot = #member.map(|value| *value);),
                }
            });
            let rest = def.additional.as_ref().map(|_| {
                let slot = slot(op, ADDITIONAL);
                (quote!(additional_properties,), quote!(self.#slot = Some(additional_properties);))
            });
            let (rest_member, rest_spread) = rest.unzip();
            (
                quote!(#( #slots )* #additional #flag),
                quote! {
                    /// The whole request body; property setters called afterwards change it.
                    pub fn body(mut self, value: impl ::std::convert::Into<#ty>) -> Self {
                        let #ty { #( #members, )* #rest_member } = value.into();
                        #( #spread )*
                        #rest_spread
                        #mark
                        self
                    }
                    #( #setters )*
                },
            )
        }
    }
}
