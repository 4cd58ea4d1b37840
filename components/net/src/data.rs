//! `data:` URLs (<https://fetch.spec.whatwg.org/#data-url-processor>) and
//! `about:blank`, the two schemes answered without any I/O.

use data_url::forgiving_base64::DecodeError;
use data_url::DataUrl;
use url::Url;

use crate::content_type::ContentType;
use crate::resource::{LoadError, Resource};

/// <https://fetch.spec.whatwg.org/#scheme-fetch>, "data".
pub(crate) fn load_data_url(url: &Url, max_bytes: u64) -> Result<Resource, LoadError> {
    let data_url = DataUrl::process(url.as_str())
        .map_err(|error| LoadError::InvalidUrl(format!("{url}: {error}")))?;

    // Decoding streams, so an oversized body is refused as soon as it
    // crosses the limit rather than after it has been materialized.
    let mut body = Vec::new();
    let decoded = data_url.decode(|bytes| {
        if (body.len() + bytes.len()) as u64 > max_bytes {
            return Err(LoadError::TooLarge { limit: max_bytes });
        }
        body.extend_from_slice(bytes);
        Ok(())
    });
    match decoded {
        Ok(_fragment) => {}
        Err(DecodeError::WriteError(error)) => return Err(error),
        Err(DecodeError::InvalidBase64(_)) => {
            return Err(LoadError::InvalidUrl(format!(
                "{url}: body is not valid base64"
            )))
        }
    }

    let mime = data_url.mime_type();
    let content_type = ContentType::from_mime(mime);
    Ok(Resource {
        url: url.clone(),
        status: 200,
        status_text: "OK".to_owned(),
        headers: vec![("content-type".to_owned(), mime.to_string())],
        content_type: Some(content_type.essence),
        charset: content_type.charset,
        body,
        redirected: false,
        body_error: None,
    })
}

/// <https://fetch.spec.whatwg.org/#scheme-fetch>, "about": only
/// `about:blank` is a resource, an empty HTML document.
pub(crate) fn load_about_url(url: &Url) -> Result<Resource, LoadError> {
    if url.path() != "blank" {
        return Err(LoadError::InvalidUrl(format!(
            "{url}: only about:blank can be loaded"
        )));
    }
    Ok(Resource {
        url: url.clone(),
        status: 200,
        status_text: "OK".to_owned(),
        headers: vec![(
            "content-type".to_owned(),
            "text/html;charset=utf-8".to_owned(),
        )],
        content_type: Some("text/html".to_owned()),
        charset: Some("utf-8".to_owned()),
        body: Vec::new(),
        redirected: false,
        body_error: None,
    })
}
