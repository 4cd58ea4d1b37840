//! FormData (https://xhr.spec.whatwg.org/#interface-formdata): an ordered list of entries, each
//! a name and a string or a File, and its `multipart/form-data` encoding as a fetch body
//! (https://html.spec.whatwg.org/multipage/form-control-infrastructure.html#multipart/form-data-encoding-algorithm).

use std::cell::RefCell;

use crate::dom::blob::Blob;
use crate::dom::file::File;
use crate::dom::prelude::*;

/// An entry's value.
#[derive(Trace)]
pub enum EntryValue {
    Text(#[no_trace] String),
    File(Dom<File>),
}

#[derive(Trace)]
#[repr(C)]
pub struct FormData {
    reflector: Reflector,
    entries: RefCell<Vec<(String, EntryValue)>>,
}

impl FormData {
    pub fn new(
        cx: &mut JSContext,
        global: &GlobalScope,
        proto: Option<HandleObject<'_>>,
    ) -> DomRoot<FormData> {
        FormDataBinding::Wrap(
            cx,
            global,
            proto,
            Box::new(FormData {
                reflector: Reflector::new(),
                entries: RefCell::new(Vec::new()),
            }),
        )
    }

    /// <https://xhr.spec.whatwg.org/#create-an-entry>: a Blob value becomes a File named
    /// `filename`, or "blob" (a File keeps its name unless `filename` is given).
    fn file_entry(
        &self,
        cx: &mut JSContext,
        blob: &Blob,
        filename: Option<DOMString>,
    ) -> EntryValue {
        let existing = blob.downcast::<File>();
        if let (Some(file), None) = (existing, &filename) {
            return EntryValue::File(Dom::from_ref(file));
        }
        let name = filename
            .or_else(|| existing.map(|file| file.name().to_owned()))
            .unwrap_or_else(|| "blob".to_owned());
        let file = File::new(
            cx,
            self.global(),
            None,
            blob.bytes().to_vec(),
            blob.type_().to_owned(),
            name,
            None,
        );
        EntryValue::File(Dom::from_ref(&*file))
    }

    fn set_entry(&self, name: String, value: EntryValue) {
        let mut entries = self.entries.borrow_mut();
        match entries.iter().position(|(n, _)| *n == name) {
            Some(first) => {
                entries[first].1 = value;
                let mut index = 0;
                entries.retain(|(n, _)| {
                    index += 1;
                    index - 1 <= first || *n != name
                });
            }
            None => entries.push((name, value)),
        }
    }

    /// The `multipart/form-data` body of the entries and its Content-Type (with the boundary).
    /// Appends a text entry.
    pub fn append_text(&self, name: &str, value: &str) {
        self.entries
            .borrow_mut()
            .push((name.to_owned(), EntryValue::Text(value.to_owned())));
    }

    /// The form as a multipart body and its Content-Type (a body's extraction).
    pub fn encode_multipart_typed(&self) -> (Vec<u8>, Option<String>) {
        let (bytes, content_type) = self.encode_multipart();
        (bytes, Some(content_type))
    }

    pub fn encode_multipart(&self) -> (Vec<u8>, String) {
        let boundary = format!(
            "----bgsyncFormBoundary{:032x}",
            crate::message_ports::PortId::new().0
        );
        let mut body = Vec::new();
        // Names and filenames: `"`, CR and LF percent-encoded, newlines normalized first.
        let escape = |text: &str| {
            normalize_newlines(text)
                .replace('"', "%22")
                .replace('\r', "%0D")
                .replace('\n', "%0A")
        };
        for (name, value) in self.entries.borrow().iter() {
            body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
            match value {
                EntryValue::Text(text) => {
                    body.extend_from_slice(
                        format!(
                            "Content-Disposition: form-data; name=\"{}\"\r\n\r\n",
                            escape(name)
                        )
                        .as_bytes(),
                    );
                    body.extend_from_slice(normalize_newlines(text).as_bytes());
                }
                EntryValue::File(file) => {
                    let blob = file.upcast::<Blob>();
                    let type_ = if blob.type_().is_empty() {
                        "application/octet-stream"
                    } else {
                        blob.type_()
                    };
                    body.extend_from_slice(
                        format!(
                            "Content-Disposition: form-data; name=\"{}\"; filename=\"{}\"\r\nContent-Type: {type_}\r\n\r\n",
                            escape(name),
                            escape(file.name())
                        )
                        .as_bytes(),
                    );
                    body.extend_from_slice(blob.bytes());
                }
            }
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        (body, format!("multipart/form-data; boundary={boundary}"))
    }
}

impl FormData {
    /// <https://fetch.spec.whatwg.org/#concept-body-package-data> for FormData: the body's
    /// entries by its Content-Type, `multipart/form-data` (with its boundary) or
    /// `application/x-www-form-urlencoded`; a TypeError for anything else or a malformed body.
    pub fn parse_body(
        cx: &mut JSContext,
        global: &GlobalScope,
        bytes: &[u8],
        content_type: Option<&str>,
    ) -> Fallible<DomRoot<FormData>> {
        let content_type = content_type.unwrap_or("");
        let mut parameters = content_type.split(';');
        let essence = parameters.next().unwrap_or("").trim().to_ascii_lowercase();
        let form = FormData::new(cx, global, None);
        match essence.as_str() {
            "application/x-www-form-urlencoded" => {
                let mut entries = form.entries.borrow_mut();
                for (name, value) in url::form_urlencoded::parse(bytes) {
                    entries.push((name.into_owned(), EntryValue::Text(value.into_owned())));
                }
            }
            "multipart/form-data" => {
                let boundary = parameters
                    .filter_map(|parameter| parameter.split_once('='))
                    .find(|(name, _)| name.trim().eq_ignore_ascii_case("boundary"))
                    .map(|(_, value)| value.trim().trim_matches('"').to_owned())
                    .filter(|boundary| !boundary.is_empty())
                    .ok_or_else(|| malformed("the multipart/form-data type has no boundary"))?;
                for part in multipart_parts(bytes, &boundary)? {
                    let value = match part.filename {
                        None => EntryValue::Text(String::from_utf8_lossy(part.body).into_owned()),
                        Some(filename) => {
                            let type_ = part.content_type.unwrap_or_else(|| "text/plain".into());
                            let file = File::new(
                                cx,
                                global,
                                None,
                                part.body.to_vec(),
                                type_,
                                filename,
                                None,
                            );
                            EntryValue::File(Dom::from_ref(&*file))
                        }
                    };
                    form.entries.borrow_mut().push((part.name, value));
                }
            }
            _ => {
                return Err(Error::Type(format!(
                    "Failed to parse the body as FormData: its Content-Type is '{content_type}'."
                )))
            }
        }
        Ok(form)
    }
}

fn malformed(why: &str) -> Error {
    Error::Type(format!("Failed to parse the body as FormData: {why}."))
}

/// One part of a multipart/form-data body.
struct Part<'a> {
    name: String,
    filename: Option<String>,
    content_type: Option<String>,
    body: &'a [u8],
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    haystack
        .get(from..)?
        .windows(needle.len())
        .position(|window| window == needle)
        .map(|at| at + from)
}

/// <https://andreubotella.github.io/multipart-form-data/#multipart-form-data-parser>, in short:
/// parts between `--boundary` lines, each with its headers, until `--boundary--`.
fn multipart_parts<'a>(bytes: &'a [u8], boundary: &str) -> Fallible<Vec<Part<'a>>> {
    let delimiter = format!("--{boundary}");
    let delimiter = delimiter.as_bytes();
    let mut position = find(bytes, delimiter, 0).ok_or_else(|| malformed("no boundary"))?;
    let mut parts = Vec::new();
    loop {
        position += delimiter.len();
        if bytes[position..].starts_with(b"--") {
            return Ok(parts);
        }
        if !bytes[position..].starts_with(b"\r\n") {
            return Err(malformed("a boundary is not followed by a line break"));
        }
        position += 2;
        let headers_end =
            find(bytes, b"\r\n\r\n", position).ok_or_else(|| malformed("a part has no body"))?;
        let headers = String::from_utf8_lossy(&bytes[position..headers_end]);
        let body_start = headers_end + 4;
        let mut next_delimiter = b"\r\n".to_vec();
        next_delimiter.extend_from_slice(delimiter);
        let body_end = find(bytes, &next_delimiter, body_start)
            .ok_or_else(|| malformed("a part does not end"))?;
        let (mut name, mut filename, mut content_type) = (None, None, None);
        for line in headers.split("\r\n") {
            let Some((header, value)) = line.split_once(':') else {
                continue;
            };
            let header = header.trim().to_ascii_lowercase();
            if header == "content-type" {
                content_type = Some(value.trim().to_owned());
            } else if header == "content-disposition" {
                for parameter in value.split(';').skip(1) {
                    let Some((key, quoted)) = parameter.split_once('=') else {
                        continue;
                    };
                    let unquoted = quoted.trim().trim_matches('"').to_owned();
                    match key.trim() {
                        "name" => name = Some(unquoted),
                        "filename" => filename = Some(unquoted),
                        _ => {}
                    }
                }
            }
        }
        parts.push(Part {
            name: name.ok_or_else(|| malformed("a part has no name"))?,
            filename,
            content_type,
            body: &bytes[body_start..body_end],
        });
        position = body_end + 2;
    }
}

/// Every lone CR or LF, and CRLF, as CRLF.
fn normalize_newlines(text: &str) -> String {
    text.replace("\r\n", "\n")
        .replace('\r', "\n")
        .replace('\n', "\r\n")
}

fn to_entry_value(value: &EntryValue) -> FileOrUSVString {
    match value {
        EntryValue::Text(text) => FileOrUSVString::USVString(text.clone()),
        EntryValue::File(file) => FileOrUSVString::File(file.root()),
    }
}

impl FormDataMethods for FormData {
    /// <https://xhr.spec.whatwg.org/#dom-formdata>: a form's entry list.
    fn Constructor(
        cx: &mut JSContext,
        global: &GlobalScope,
        proto: Option<HandleObject<'_>>,
        form: Option<&crate::dom::htmlformelement::HTMLFormElement>,
    ) -> Fallible<DomRoot<FormData>> {
        let data = FormData::new(cx, global, proto);
        if let Some(form) = form {
            for (name, value) in form.entry_list() {
                data.append_text(&name, &value);
            }
        }
        Ok(data)
    }
    fn Append(&self, _cx: &mut JSContext, name: DOMString, value: DOMString) {
        self.entries
            .borrow_mut()
            .push((name, EntryValue::Text(value)));
    }
    fn Append_(
        &self,
        cx: &mut JSContext,
        name: DOMString,
        blob_value: &Blob,
        filename: Option<DOMString>,
    ) {
        let value = self.file_entry(cx, blob_value, filename);
        self.entries.borrow_mut().push((name, value));
    }
    fn Delete(&self, _cx: &mut JSContext, name: DOMString) {
        self.entries.borrow_mut().retain(|(n, _)| *n != name);
    }
    fn Get(&self, _cx: &mut JSContext, name: DOMString) -> Option<FileOrUSVString> {
        self.entries
            .borrow()
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, value)| to_entry_value(value))
    }
    fn GetAll(&self, _cx: &mut JSContext, name: DOMString) -> Vec<FileOrUSVString> {
        self.entries
            .borrow()
            .iter()
            .filter(|(n, _)| *n == name)
            .map(|(_, value)| to_entry_value(value))
            .collect()
    }
    fn Has(&self, _cx: &mut JSContext, name: DOMString) -> bool {
        self.entries.borrow().iter().any(|(n, _)| *n == name)
    }
    fn Set(&self, _cx: &mut JSContext, name: DOMString, value: DOMString) {
        self.set_entry(name, EntryValue::Text(value));
    }
    fn Set_(
        &self,
        cx: &mut JSContext,
        name: DOMString,
        blob_value: &Blob,
        filename: Option<DOMString>,
    ) {
        let value = self.file_entry(cx, blob_value, filename);
        self.set_entry(name, value);
    }
    fn IterPairs(&self, _cx: &mut JSContext) -> Vec<(DOMString, FileOrUSVString)> {
        self.entries
            .borrow()
            .iter()
            .map(|(name, value)| (name.clone(), to_entry_value(value)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A hostile or cut-off body is an error, never a panic: every prefix of a valid body,
    /// and bytes flipped in it.
    #[test]
    fn the_multipart_parser_refuses_broken_bodies_without_panicking() {
        let body = b"--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"x\"\r\nContent-Type: text/plain\r\n\r\nxyz\r\n--b--\r\n";
        let parts = multipart_parts(body, "b").unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].name, "a");
        assert_eq!(parts[0].body, b"1");
        assert_eq!(parts[1].filename.as_deref(), Some("x"));
        assert_eq!(parts[1].content_type.as_deref(), Some("text/plain"));
        assert_eq!(parts[1].body, b"xyz");
        for end in 0..body.len() {
            let _ = multipart_parts(&body[..end], "b");
        }
        for at in 0..body.len() {
            for byte in [b'\r', b'\n', b'-', b'"', 0, 0xff] {
                let mut broken = body.to_vec();
                broken[at] = byte;
                let _ = multipart_parts(&broken, "b");
            }
        }
        assert!(multipart_parts(b"", "b").is_err());
        assert!(multipart_parts(b"--b", "b").is_err());
        assert!(
            multipart_parts(b"--b\r\n\r\n\r\n--b--", "b").is_err(),
            "a part without a name"
        );
    }
}
