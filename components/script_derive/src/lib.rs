//! `#[derive(Trace)]`: a DOM struct's (or enum's) tracing, from its fields.
//!
//! The generated `unsafe impl mozjs::rust::Trace` traces every field in
//! declaration order, except those marked `#[no_trace]`: fields whose type
//! can hold no GC thing and has no `Trace` impl of its own (a `Url`, an ipc
//! sender, a channel). A field that holds a JS value or a DOM object must
//! be traced; its type's `Trace` impl says how (`Dom<T>`, `MutNullableDom`,
//! `RootedValue`, `Heap<...>`, and through `Cell`, `RefCell`, `Option`,
//! `Vec`, `HashMap`, ... by mozjs's impls). So a new DOM struct gets tracing
//! by declaring its fields, and writes no `unsafe`.
//!
//! ```text
//! #[derive(Trace)]
//! #[repr(C)]
//! pub struct SyncEvent {
//!     extendableevent: ExtendableEvent,
//!     tag: String,
//!     #[no_trace] // a plain URL: nothing the GC manages
//!     scope: Url,
//! }
//! ```

use proc_macro::TokenStream;
use proc_macro2::{Span, TokenStream as TokenStream2};
use quote::{format_ident, quote};
use syn::{parse_macro_input, parse_quote, Data, DeriveInput, Fields, Ident, Index};

/// See the crate docs.
#[proc_macro_derive(Trace, attributes(no_trace))]
pub fn derive_trace(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    match trace_impl(input) {
        Ok(tokens) => tokens.into(),
        Err(error) => error.to_compile_error().into(),
    }
}

fn is_traced(attrs: &[syn::Attribute]) -> bool {
    !attrs.iter().any(|attr| attr.path().is_ident("no_trace"))
}

/// Whether a field's type is written `RefCell<...>`.
fn is_ref_cell(ty: &syn::Type) -> bool {
    match ty {
        syn::Type::Path(path) => path
            .path
            .segments
            .last()
            .is_some_and(|segment| segment.ident == "RefCell"),
        _ => false,
    }
}

/// The call tracing `place` (an expression of a field's type, or a
/// reference to it). A `RefCell` is traced through its pointer, not
/// `borrow()`: the GC may run while the code that owns the cell holds it
/// mutably borrowed, on this same thread, and tracing only reads (Servo's
/// `borrow_for_gc_trace`).
fn trace_call(place: TokenStream2, ty: &syn::Type, trc: &Ident) -> TokenStream2 {
    if is_ref_cell(ty) {
        quote!(::mozjs::rust::Trace::trace(&*(#place).as_ptr(), #trc);)
    } else {
        quote!(::mozjs::rust::Trace::trace(&#place, #trc);)
    }
}

fn trace_impl(mut input: DeriveInput) -> syn::Result<TokenStream2> {
    let name = input.ident.clone();
    let trc = Ident::new("trc", Span::call_site());
    let body = match &input.data {
        Data::Struct(data) => {
            let calls = data
                .fields
                .iter()
                .enumerate()
                .filter(|(_, field)| is_traced(&field.attrs))
                .map(|(index, field)| {
                    let member = match &field.ident {
                        Some(ident) => quote!(#ident),
                        None => {
                            let index = Index::from(index);
                            quote!(#index)
                        }
                    };
                    trace_call(quote!(self.#member), &field.ty, &trc)
                });
            quote!(#(#calls)*)
        }
        Data::Enum(data) => {
            let arms = data.variants.iter().map(|variant| {
                let variant_name = &variant.ident;
                let traced = |attrs: &[syn::Attribute], variant_traced: bool| {
                    variant_traced && is_traced(attrs)
                };
                let variant_traced = is_traced(&variant.attrs);
                match &variant.fields {
                    Fields::Named(fields) => {
                        let bindings: Vec<_> = fields
                            .named
                            .iter()
                            .map(|field| field.ident.clone().expect("named field"))
                            .collect();
                        let calls = fields
                            .named
                            .iter()
                            .zip(&bindings)
                            .filter(|(field, _)| traced(&field.attrs, variant_traced))
                            .map(|(field, binding)| trace_call(quote!(*#binding), &field.ty, &trc));
                        quote!(#name::#variant_name { #(#bindings),* } => { #(#calls)* })
                    }
                    Fields::Unnamed(fields) => {
                        let bindings: Vec<_> = (0..fields.unnamed.len())
                            .map(|index| format_ident!("field{index}"))
                            .collect();
                        let calls = fields
                            .unnamed
                            .iter()
                            .zip(&bindings)
                            .filter(|(field, _)| traced(&field.attrs, variant_traced))
                            .map(|(field, binding)| trace_call(quote!(*#binding), &field.ty, &trc));
                        quote!(#name::#variant_name ( #(#bindings),* ) => { #(#calls)* })
                    }
                    Fields::Unit => quote!(#name::#variant_name => {}),
                }
            });
            quote! {
                #[allow(unused_variables)]
                match self { #(#arms)* }
            }
        }
        Data::Union(_) => {
            return Err(syn::Error::new_spanned(
                &input.ident,
                "#[derive(Trace)] cannot see which field of a union is live",
            ))
        }
    };
    // Every type parameter must be traceable itself.
    let type_params: Vec<Ident> = input
        .generics
        .type_params()
        .map(|param| param.ident.clone())
        .collect();
    let where_clause = input.generics.make_where_clause();
    for param in type_params {
        where_clause
            .predicates
            .push(parse_quote!(#param: ::mozjs::rust::Trace));
    }
    let (impl_generics, type_generics, where_clause) = input.generics.split_for_impl();
    Ok(quote! {
        // SAFETY: generated by #[derive(Trace)]: traces every field that can
        // hold a GC thing (all but those marked #[no_trace]).
        unsafe impl #impl_generics ::mozjs::rust::Trace for #name #type_generics #where_clause {
            #[allow(unused_variables)]
            unsafe fn trace(&self, #trc: *mut ::mozjs::jsapi::JSTracer) {
                #body
            }
        }
    })
}
