//! `.stream()` for operations marked `x-pagination`: a lazy walk over every page.

use proc_macro2::TokenStream;
use quote::quote;

use crate::emit::tokens::{ident, rust_type, TypesPath};
use crate::ir::{Api, Operation, PageInput, Pagination, Struct, TypeRef};

use super::builder::{param_field, slot};
use super::struct_of;

/// `fn stream(self)`: every item across pages, for operations marked with `x-pagination`.
pub(super) fn stream_fn(api: &Api, op: &Operation, page_ty: &TokenStream, error_ty: &TokenStream) -> Option<TokenStream> {
    let pagination = op.pagination.as_ref()?;
    let page = page_struct(api, op)?;
    let field = |rust_name: &str| page.fields.iter().find(|f| f.rust_name == rust_name);
    let docs = quote! {
        /// Every item of every page, fetched lazily: the next page is requested only when
        /// the items of this one have been consumed. Parameters set on this builder apply to
        /// every page.
    };
    let body = match pagination {
        Pagination::Token { input, output_field, items_field, item_ty } => {
            let item_ty = rust_type(api, item_ty, TypesPath::Crate);
            let (setter, first) = match input {
                PageInput::Param(index) => {
                    let param = &op.params[*index];
                    let stored = param_field(param);
                    (ident(&param.rust_name), quote!(#stored.clone()))
                }
                PageInput::BodyProperty(rust_name) => {
                    let slot = slot(op, rust_name);
                    (ident(rust_name), quote!(self.#slot.clone()))
                }
            };
            let items = items_expr(field(items_field)?);
            let output = field(output_field)?;
            let output_ident = ident(&output.rust_name);
            let next = if output.is_optional() { quote!(page.#output_ident) } else { quote!(Some(page.#output_ident)) };
            quote! {
                #docs
                ///
                /// The walk ends on the page without a next token; a token that comes back a
                /// second time ends it with an error rather than a loop.
                pub fn stream(self) -> impl ::futures::Stream<Item = Result<#item_ty, crate::Error<#error_ty>>> + Send + Unpin + 'static {
                    let first = #first;
                    runtime::paginate::by_token(
                        first,
                        move |token: Option<String>| {
                            let request = match token {
                                Some(token) => self.clone().#setter(token),
                                None => self.clone(),
                            };
                            request.send()
                        },
                        |page: #page_ty| (#items, #next),
                    )
                }
            }
        }
        Pagination::Offset { offset_param, limit_param, items_field, item_ty, total_field, next_link } => {
            let item_ty = rust_type(api, item_ty, TypesPath::Crate);
            let offset = &op.params[*offset_param];
            let offset_ident = ident(&offset.rust_name);
            let offset_stored = param_field(offset);
            let to_param = match offset.ty {
                TypeRef::I32 => quote!(i32::try_from(offset).unwrap_or(i32::MAX)),
                _ => quote!(offset),
            };
            let limit = match limit_param {
                Some(index) => {
                    let stored = param_field(&op.params[*index]);
                    let widen = widen_to_i64(&op.params[*index].ty);
                    quote!(#stored #widen)
                }
                None => quote!(None),
            };
            let widen_offset = widen_to_i64(&offset.ty);
            let items = items_expr(field(items_field)?);
            let total = match total_field {
                Some(total) => {
                    let total = field(total)?;
                    let name = ident(&total.rust_name);
                    let widen = widen_to_i64(&total.ty);
                    if total.is_optional() { quote!(page.#name #widen) } else { quote!(Some(page.#name) #widen) }
                }
                None => quote!(None),
            };
            // Read before the items move out of the page.
            let (read_next, has_next) = match next_link {
                Some(pointer) => {
                    let read = match typed_link(api, page, pointer) {
                        Some(read) => read,
                        // Through a map or free-form JSON: ask the page's JSON form instead.
                        None => quote!(runtime::paginate::has_next_link(&runtime::body::to_json(&page), #pointer)),
                    };
                    (quote!(let has_next = #read;), quote!(has_next))
                }
                None => (TokenStream::new(), quote!(None)),
            };
            quote! {
                #docs
                ///
                /// The walk starts at the offset set on this builder (or 0) and ends on an
                /// empty or short page, once the reported total is reached, or on a page
                /// without a link to the next one.
                pub fn stream(self) -> impl ::futures::Stream<Item = Result<#item_ty, crate::Error<#error_ty>>> + Send + Unpin + 'static {
                    let start = #offset_stored #widen_offset.unwrap_or(0);
                    let limit = #limit;
                    runtime::paginate::by_offset(
                        start,
                        limit,
                        move |offset: i64| self.clone().#offset_ident(#to_param).send(),
                        |page: #page_ty| {
                            #read_next
                            (#items, #total, #has_next)
                        },
                    )
                }
            }
        }
    };
    Some(body)
}

/// Reads a next-page link from the typed page, by the `x-pagination` JSON pointer
/// (`/_links/next`): `Some(true)` when the link is there, `Some(false)` when the object that
/// would hold it is there without it, `None` when the page says nothing either way (as
/// `runtime::paginate::has_next_link` answers for the JSON form). `None` from this function
/// means the pointer goes through something other than structs.
pub(super) fn typed_link(api: &Api, page: &Struct, pointer: &str) -> Option<TokenStream> {
    let segments: Vec<String> = pointer.strip_prefix('/')?.split('/').map(|s| s.replace("~1", "/").replace("~0", "~")).collect();
    let (last, parents) = segments.split_last()?;
    let mut holder = &TypeRef::Unit;
    // `Option<&Holder>`; the page itself to begin with.
    let mut reach = quote!(Some(&page));
    for (i, segment) in parents.iter().enumerate() {
        let fields = if i == 0 { &page.fields } else { &struct_of(api, holder)?.fields };
        let field = fields.iter().find(|f| &f.wire_name == segment)?;
        let member = ident(&field.rust_name);
        reach = match (i, field.is_optional()) {
            (0, true) => quote!(page.#member.as_ref()),
            (0, false) => quote!(Some(&page.#member)),
            (_, true) => quote!(#reach.and_then(|v| v.#member.as_ref())),
            (_, false) => quote!(#reach.map(|v| &v.#member)),
        };
        holder = &field.ty;
    }
    // The link's holder: the page itself, a struct, or a map of links (`_links: {next: ...}`).
    let present = match holder {
        TypeRef::Map(value) if **value == TypeRef::Json => quote!(v.get(#last).is_some_and(|link| !link.is_null())),
        TypeRef::Map(_) => quote!(v.contains_key(#last)),
        _ => {
            let fields = if parents.is_empty() { &page.fields } else { &struct_of(api, holder)?.fields };
            let field = fields.iter().find(|f| &f.wire_name == last)?;
            let member = ident(&field.rust_name);
            match (&field.ty, field.is_optional()) {
                (TypeRef::Json, true) => quote!(v.#member.as_ref().is_some_and(|link| !link.is_null())),
                (TypeRef::Json, false) => quote!(!v.#member.is_null()),
                (_, true) => quote!(v.#member.is_some()),
                // Always there once its holder is.
                (_, false) => return Some(quote!(#reach.map(|_| true))),
            }
        }
    };
    Some(quote!(#reach.map(|v| #present)))
}

/// `.map(i64::from)` for an `Option` of a narrower integer; nothing for `i64`.
pub(super) fn widen_to_i64(ty: &TypeRef) -> TokenStream {
    match ty {
        TypeRef::I64 => TokenStream::new(),
        _ => quote!(.map(i64::from)),
    }
}

pub(super) fn page_struct<'a>(api: &'a Api, op: &Operation) -> Option<&'a crate::ir::Struct> {
    let TypeRef::Named(id) = op.responses.success.iter().find_map(|s| s.body.ty())? else { return None };
    match &api.types[id.0].kind {
        crate::ir::TypeKind::Struct(s) => Some(s),
        _ => None,
    }
}

pub(super) fn items_expr(items: &crate::ir::Field) -> TokenStream {
    let name = ident(&items.rust_name);
    if items.is_optional() {
        quote!(page.#name.unwrap_or_default())
    } else {
        quote!(page.#name)
    }
}
