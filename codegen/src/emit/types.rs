//! `types.rs`: one Rust type per named schema, with serde attributes for the wire form and a
//! `Validate` impl for the spec's constraints.

use proc_macro2::TokenStream;
use quote::quote;

use crate::emit::tokens::{cfg, cfg_text, doc, external_path, gate, ident, paragraphs, rust_type, time_module, Chunk, TypesPath};
use crate::emit::validate::{checks_for, Holds};
use crate::ir::{Api, EnumVariant, Field, Struct, TypeDef, TypeId, TypeKind, Union};

/// The items of `types.rs`, in order. String enums are written as a `string_enum!`
/// invocation, which a formatter cannot see into: they are kept apart so that the enum inside
/// is formatted like any other item.
pub fn emit_types(api: &Api) -> Vec<Chunk> {
    api.types
        .iter()
        .map(|def| match (&def.kind, def.alias_of) {
            (_, Some(generated)) => Chunk::Items(emit_alias(api, def, generated)),
            (TypeKind::Enum(variants), None) => Chunk::Macro { attrs: cfg_text(&def.features), name: "crate::string_enum", item: emit_enum(def, variants) },
            _ => Chunk::Items(gate(emit_type(api, def), &cfg(&def.features))),
        })
        .collect()
}

/// A type identical to one generated before it (`lower::merge`): that type, by this name.
fn emit_alias(api: &Api, def: &TypeDef, generated: TypeId) -> TokenStream {
    let name = ident(&def.name);
    let target = ident(&api.types[generated.0].name);
    let note = format!("The same type as [`{target}`]: their schemas are identical.");
    let docs = doc(paragraphs(&[def.description.as_deref(), Some(&note)]).as_deref());
    let cfg = cfg(&def.features);
    quote! {
        #docs
        #cfg
        pub type #name = #target;
    }
}

fn emit_type(api: &Api, def: &TypeDef) -> TokenStream {
    match &def.kind {
        TypeKind::Struct(s) => emit_struct(api, def, s),
        TypeKind::Enum(variants) => emit_enum(def, variants),
        TypeKind::Union(u) => emit_union(api, def, u),
        TypeKind::Opaque => {
            let name = ident(&def.name);
            let docs = doc(def.description.as_deref());
            quote! {
                #docs
                ///
                /// The generator cannot express this schema in Rust types; it is kept as JSON.
                pub type #name = ::serde_json::Value;
            }
        }
    }
}

/// One of the alternatives must be fully set: `[[a, b], [c]]` is `(a && b) || c`.
fn required_one_of(s: &Struct) -> TokenStream {
    let is_set = |name: &String| {
        let member = ident(name);
        match s.fields.iter().find(|f| &f.rust_name == name) {
            Some(field) if field.is_optional() => quote!(self.#member.is_some()),
            _ => quote!(true),
        }
    };
    let alternatives = s.required_one_of.iter().map(|names| {
        let set: Vec<TokenStream> = names.iter().map(is_set).collect();
        quote!((#( #set )&&*))
    });
    let wanted = s
        .required_one_of
        .iter()
        .map(|names| {
            let wire = |n: &String| s.fields.iter().find(|f| &f.rust_name == n).map_or(n.as_str(), |f| f.wire_name.as_str()).to_string();
            names.iter().map(|n| format!("`{}`", wire(n))).collect::<Vec<_>>().join(", ")
        })
        .collect::<Vec<_>>()
        .join("; or ");
    let message = format!("set one of these groups of properties: {wanted}");
    quote! {
        if !(#( #alternatives )||*) {
            return Err(runtime::validate::ValidationError::new(field, #message));
        }
    }
}

fn emit_struct(api: &Api, def: &TypeDef, s: &Struct) -> TokenStream {
    let name = ident(&def.name);
    let docs = doc(def.description.as_deref());
    let fields = s.fields.iter().map(|f| emit_field(api, f));
    let additional = s.additional.as_ref().map(|value| {
        let value = rust_type(api, value, TypesPath::Local);
        quote! {
            /// Properties beyond the named ones.
            #[serde(flatten)]
            pub additional_properties: ::std::collections::BTreeMap<String, #value>,
        }
    });
    // Structs whose fields may all be left out can start from `Default`.
    let mut derives = vec![quote!(Debug), quote!(Clone), quote!(PartialEq)];
    if s.fields.iter().all(Field::is_optional) {
        derives.push(quote!(Default));
    }
    derives.extend([quote!(::serde::Serialize), quote!(::serde::Deserialize)]);
    derives.extend(extra_derives(def));
    let checks = s.fields.iter().map(|f| {
        let member = ident(&f.rust_name);
        let label = format!("{{field}}.{}", f.rust_name);
        let holds = if f.is_optional() { Holds::Option } else { Holds::Value };
        checks_for(api, quote!(self.#member), holds, &f.ty, &f.constraints, quote!(&format!(#label)))
    });
    let mut checks: Vec<TokenStream> = checks.filter(|c| !c.is_empty()).collect();
    if !s.required_one_of.is_empty() {
        checks.push(required_one_of(s));
    }
    let validate = def.validated.then(|| {
        quote! {
            impl runtime::validate::Validate for #name {
                fn validate(&self, field: &str) -> Result<(), runtime::validate::ValidationError> {
                    #( #checks )*
                    Ok(())
                }
            }
        }
    });
    quote! {
        #docs
        #[derive( #( #derives ),* )]
        pub struct #name {
            #( #fields )*
            #additional
        }

        #validate
    }
}

fn emit_field(api: &Api, field: &Field) -> TokenStream {
    let name = ident(&field.rust_name);
    let docs = doc(field.description.as_deref());
    let mut ty = rust_type(api, &field.ty, TypesPath::Local);
    if field.boxed {
        ty = quote!(Box<#ty>);
    }
    let optional = field.is_optional();
    if optional {
        ty = quote!(Option<#ty>);
    }
    let mut serde = Vec::new();
    if field.wire_name != field.rust_name {
        let wire = &field.wire_name;
        serde.push(quote!(rename = #wire));
    }
    if optional {
        serde.push(quote!(default));
        // A required-but-nullable field is sent as `null`; an optional one is left out.
        if !field.required {
            serde.push(quote!(skip_serializing_if = "Option::is_none"));
        }
    }
    if let Some(module) = time_module(&field.ty, optional) {
        serde.push(quote!(with = #module));
    }
    let serde = (!serde.is_empty()).then(|| quote!(#[serde( #( #serde ),* )]));
    quote! {
        #docs
        #serde
        pub #name: #ty,
    }
}

/// The derives the settings add to this type.
fn extra_derives(def: &TypeDef) -> impl Iterator<Item = TokenStream> + '_ {
    def.derives.iter().map(|path| external_path(path))
}

/// A string enum that survives values the spec does not know (see `runtime::string_enum`).
fn emit_enum(def: &TypeDef, variants: &[EnumVariant]) -> TokenStream {
    let name = ident(&def.name);
    let docs = doc(def.description.as_deref());
    let idents = variants.iter().map(|v| ident(&v.rust_name));
    let wires = variants.iter().map(|v| v.wire.as_str());
    let variant_docs = variants.iter().map(|v| {
        if v.wire.is_empty() { " `\"\"` (the empty string)".to_string() } else { format!(" `{}`", v.wire) }
    });
    let extra: Vec<TokenStream> = extra_derives(def).collect();
    let derives = (!extra.is_empty()).then(|| quote!(#[derive( #( #extra ),* )]));
    // `Variant = "wire"` is the macro's syntax; it parses (and formats) as an enum with
    // discriminants.
    quote! {
        #docs
        #derives
        pub enum #name {
            #( #[doc = #variant_docs] #idents = #wires, )*
        }
    }
}

fn emit_union(api: &Api, def: &TypeDef, union: &Union) -> TokenStream {
    let name = ident(&def.name);
    let docs = doc(def.description.as_deref());
    let variants = union.variants.iter().map(|v| {
        let variant = ident(&v.rust_name);
        let mut ty = rust_type(api, &v.ty, TypesPath::Local);
        if v.boxed {
            ty = quote!(Box<#ty>);
        }
        quote!(#variant(#ty),)
    });
    let arms = union.variants.iter().map(|v| {
        let variant = ident(&v.rust_name);
        if crate::emit::validate::has_nested_checks(api, &v.ty) {
            quote!(Self::#variant(value) => runtime::validate::Validate::validate(value, field),)
        } else {
            quote!(Self::#variant(_) => Ok(()),)
        }
    });
    let validate = def.validated.then(|| {
        quote! {
            impl runtime::validate::Validate for #name {
                fn validate(&self, field: &str) -> Result<(), runtime::validate::ValidationError> {
                    match self {
                        #( #arms )*
                    }
                }
            }
        }
    });
    let mut derives = vec![quote!(Debug), quote!(Clone), quote!(PartialEq)];
    let serde_impls = match &union.tag {
        None => {
            derives.extend([quote!(::serde::Serialize), quote!(::serde::Deserialize)]);
            quote!(#[serde(untagged)])
        }
        Some(tag) => tagged_serde(&name, tag, union),
    };
    derives.extend(extra_derives(def));
    let (attribute, impls) = if union.tag.is_some() { (TokenStream::new(), serde_impls) } else { (serde_impls, TokenStream::new()) };
    quote! {
        #docs
        #[derive( #( #derives ),* )]
        #attribute
        pub enum #name {
            #( #variants )*
        }

        #impls

        #validate
    }
}

/// serde for a union with a discriminator. serde's own `#[serde(tag)]` cannot be used: the
/// members usually declare the tag property themselves, and serde would then both demand it
/// and write it twice. Here the tag picks the member, which reads the whole object, tag
/// included; writing adds the tag only when the member left it out.
fn tagged_serde(name: &proc_macro2::Ident, tag: &str, union: &Union) -> TokenStream {
    let write_arms = union.variants.iter().map(|v| {
        let variant = ident(&v.rust_name);
        let value = v.tag_value.as_deref().unwrap_or(&v.rust_name);
        quote!(Self::#variant(inner) => (#value, ::serde_json::to_value(inner)),)
    });
    let read_arms = union.variants.iter().map(|v| {
        let variant = ident(&v.rust_name);
        let value = v.tag_value.as_deref().unwrap_or(&v.rust_name);
        quote!(Some(#value) => ::serde_json::from_value(value).map(Self::#variant),)
    });
    let expected: Vec<String> = union.variants.iter().map(|v| format!("`{}`", v.tag_value.as_deref().unwrap_or(&v.rust_name))).collect();
    let unknown = format!("`{tag}` must be one of {}", expected.join(", "));
    quote! {
        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let (tag, value) = match self {
                    #( #write_arms )*
                };
                let mut value = value.map_err(<S::Error as ::serde::ser::Error>::custom)?;
                if let ::serde_json::Value::Object(object) = &mut value {
                    object.entry(#tag).or_insert_with(|| ::serde_json::Value::from(tag));
                }
                ::serde::Serialize::serialize(&value, serializer)
            }
        }

        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = <::serde_json::Value as ::serde::Deserialize>::deserialize(deserializer)?;
                let tag = value.get(#tag).and_then(::serde_json::Value::as_str).map(str::to_owned);
                let result = match tag.as_deref() {
                    #( #read_arms )*
                    _ => return Err(<D::Error as ::serde::de::Error>::custom(#unknown)),
                };
                result.map_err(<D::Error as ::serde::de::Error>::custom)
            }
        }
    }
}
