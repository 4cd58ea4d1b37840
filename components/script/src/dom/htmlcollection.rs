//! HTMLCollection (https://dom.spec.whatwg.org/#interface-htmlcollection): a live, filtered
//! view of elements under a root.

use crate::dom::element::Element;
use crate::dom::node::Node;
use crate::dom::prelude::*;

#[derive(Trace)]
pub enum CollectionFilter {
    /// The root's element children.
    Children,
    /// Descendants with this qualified name (`*` for all), https://dom.spec.whatwg.org/#concept-getelementsbytagname
    TagName(String),
    /// Descendants having all these classes.
    ClassNames(Vec<String>),
}

#[derive(Trace)]
#[repr(C)]
pub struct HTMLCollection {
    reflector: Reflector,
    root: Dom<Node>,
    filter: CollectionFilter,
}

impl HTMLCollection {
    pub fn new(
        cx: &mut JSContext,
        global: &GlobalScope,
        root: &Node,
        filter: CollectionFilter,
    ) -> DomRoot<HTMLCollection> {
        HTMLCollectionBinding::Wrap(
            cx,
            global,
            None,
            Box::new(HTMLCollection {
                reflector: Reflector::new(),
                root: Dom::from_ref(root),
                filter,
            }),
        )
    }

    /// https://dom.spec.whatwg.org/#concept-getelementsbytagname under `root`.
    pub fn by_tag_name(
        cx: &mut JSContext,
        root: &Node,
        qualified_name: DOMString,
    ) -> DomRoot<HTMLCollection> {
        Self::new(
            cx,
            root.global(),
            root,
            CollectionFilter::TagName(qualified_name),
        )
    }

    /// https://dom.spec.whatwg.org/#concept-getelementsbyclassname under `root`.
    pub fn by_class_names(
        cx: &mut JSContext,
        root: &Node,
        class_names: &str,
    ) -> DomRoot<HTMLCollection> {
        let classes = class_names
            .split_ascii_whitespace()
            .map(String::from)
            .collect();
        Self::new(
            cx,
            root.global(),
            root,
            CollectionFilter::ClassNames(classes),
        )
    }

    fn elements(&self) -> Vec<DomRoot<Element>> {
        match &self.filter {
            CollectionFilter::Children => self.root.child_elements(),
            CollectionFilter::TagName(name) => {
                let lower = name.to_ascii_lowercase();
                self.root
                    .descendant_elements()
                    .into_iter()
                    .filter(|e| name == "*" || e.local_name() == lower || e.tag_name() == *name)
                    .collect()
            }
            CollectionFilter::ClassNames(classes) => {
                if classes.is_empty() {
                    return Vec::new();
                }
                self.root
                    .descendant_elements()
                    .into_iter()
                    .filter(|e| {
                        let own = e.class_tokens();
                        classes.iter().all(|c| own.contains(c))
                    })
                    .collect()
            }
        }
    }
}

impl HTMLCollection {
    fn length(&self) -> u32 {
        match &self.filter {
            CollectionFilter::Children => self.root.child_element_count() as u32,
            _ => self.elements().len() as u32,
        }
    }

    fn item(&self, index: u32) -> Option<DomRoot<Element>> {
        match &self.filter {
            CollectionFilter::Children => self.root.nth_child_element(index as usize),
            _ => self.elements().get(index as usize).cloned(),
        }
    }
}

impl HTMLCollectionMethods for HTMLCollection {
    fn Length(&self, _cx: &mut JSContext) -> u32 {
        self.length()
    }
    fn Item(&self, _cx: &mut JSContext, index: u32) -> Option<DomRoot<Element>> {
        self.item(index)
    }
    /// <https://dom.spec.whatwg.org/#dom-htmlcollection-nameditem>
    fn NamedItem(&self, _cx: &mut JSContext, name: DOMString) -> Option<DomRoot<Element>> {
        if name.is_empty() {
            return None;
        }
        self.elements().into_iter().find(|e| {
            e.get_attribute("id").as_deref() == Some(&name)
                || e.get_attribute("name").as_deref() == Some(&name)
        })
    }
    fn IndexedGetter(&self, _cx: &mut JSContext, index: u32) -> Option<Option<DomRoot<Element>>> {
        self.item(index).map(Some)
    }
    fn IndexedLength(&self) -> u32 {
        self.length()
    }
}
