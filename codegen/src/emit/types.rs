//! `types.rs`: one Rust type per named schema, with serde attributes for the wire form and a
//! `Validate` impl for the spec's constraints.

use proc_macro2::TokenStream;
use quote::quote;

use crate::emit::tokens::{doc, ident, rust_type, time_module, TypesPath};
use crate::emit::validate::{checks_for, Holds};
use crate::ir::{Api, EnumVariant, Field, Struct, TypeDef, TypeKind, Union};

pub fn emit_types(api: &Api) -> TokenStream {
    let items = api.types.iter().map(|def| emit_type(api, def));
    quote! {
        //! The request and response bodies of the API, one type per schema.
        #( #items )*
    }
}

fn emit_type(api: &Api, def: &TypeDef) -> TokenStream {
    match &def.kind {
        TypeKind::Struct(s) => emit_struct(api, def, s),
        TypeKind::Enum(variants) => emit_enum(def, variants),
        TypeKind::Union(u) => emit_union(api, def, u),
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
    let default = s.fields.iter().all(Field::is_optional).then(|| quote!(Default,));
    let checks = s.fields.iter().map(|f| {
        let member = ident(&f.rust_name);
        let label = format!("{{field}}.{}", f.rust_name);
        let holds = if f.is_optional() { Holds::Option } else { Holds::Value };
        checks_for(api, quote!(self.#member), holds, &f.ty, &f.constraints, quote!(&format!(#label)))
    });
    let checks: Vec<TokenStream> = checks.filter(|c| !c.is_empty()).collect();
    let field_param = if checks.is_empty() { quote!(_field) } else { quote!(field) };
    quote! {
        #docs
        #[derive(Debug, Clone, PartialEq, #default ::serde::Serialize, ::serde::Deserialize)]
        pub struct #name {
            #( #fields )*
            #additional
        }

        impl crate::runtime::validate::Validate for #name {
            fn validate(&self, #field_param: &str) -> Result<(), crate::runtime::validate::ValidationError> {
                #( #checks )*
                Ok(())
            }
        }
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

/// A string enum that survives values the spec does not know: they land in `Unknown` and are
/// sent back unchanged.
fn emit_enum(def: &TypeDef, variants: &[EnumVariant]) -> TokenStream {
    let name = ident(&def.name);
    let docs = doc(def.description.as_deref());
    let idents: Vec<_> = variants.iter().map(|v| ident(&v.rust_name)).collect();
    let wires: Vec<&str> = variants.iter().map(|v| v.wire.as_str()).collect();
    let variant_docs = wires.iter().map(|w| if w.is_empty() { " `\"\"` (the empty string)".to_string() } else { format!(" `{w}`") });
    quote! {
        #docs
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum #name {
            #( #[doc = #variant_docs] #idents, )*
            /// A value this version of the client does not know.
            Unknown(String),
        }

        impl #name {
            /// The value as sent on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    #( Self::#idents => #wires, )*
                    Self::Unknown(value) => value.as_str(),
                }
            }
        }

        impl ::std::convert::From<&str> for #name {
            fn from(value: &str) -> Self {
                match value {
                    #( #wires => Self::#idents, )*
                    other => Self::Unknown(other.to_string()),
                }
            }
        }

        impl ::std::convert::From<String> for #name {
            fn from(value: String) -> Self {
                Self::from(value.as_str())
            }
        }

        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = <::std::borrow::Cow<'de, str> as ::serde::Deserialize>::deserialize(deserializer)?;
                Ok(Self::from(value.as_ref()))
            }
        }

        impl crate::runtime::validate::Validate for #name {
            fn validate(&self, _field: &str) -> Result<(), crate::runtime::validate::ValidationError> {
                Ok(())
            }
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
        quote!(Self::#variant(value) => crate::runtime::validate::Validate::validate(value, field),)
    });
    let (derive, serde_impls) = match &union.tag {
        None => (quote!(::serde::Serialize, ::serde::Deserialize,), quote!(#[serde(untagged)])),
        Some(tag) => (TokenStream::new(), tagged_serde(&name, tag, union)),
    };
    let (attribute, impls) = if union.tag.is_some() { (TokenStream::new(), serde_impls) } else { (serde_impls, TokenStream::new()) };
    quote! {
        #docs
        #[derive(Debug, Clone, PartialEq, #derive)]
        #attribute
        pub enum #name {
            #( #variants )*
        }

        #impls

        impl crate::runtime::validate::Validate for #name {
            fn validate(&self, field: &str) -> Result<(), crate::runtime::validate::ValidationError> {
                match self {
                    #( #arms )*
                }
            }
        }
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
